"""Content-addressed cache of rendered PDFs under ``.qms-cache/render/`` (safe to delete).

The key of a document is a hash of its final HTML (itself a function of the YAML inputs, the
templates and the CSS), its attachments, the render options, :data:`TEMPLATE_VERSION` and the
WeasyPrint version. Files are written atomically: the PDF first, then its ``.json`` sidecar,
whose presence marks the entry as complete.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from qms.render.env import TEMPLATE_VERSION
from qms.store.atomic import atomic_write_bytes, atomic_write_text

CACHE_SUBDIR = Path(".qms-cache") / "render"


@functools.cache
def weasyprint_version() -> str:
    """The installed WeasyPrint version, without importing WeasyPrint (about 0.8 s)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("weasyprint")
    except PackageNotFoundError:  # pragma: no cover - a declared dependency
        import weasyprint

        return str(weasyprint.__version__)


def render_key(html: str, options: Iterable[str], attachments: Iterable[bytes] = ()) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in (TEMPLATE_VERSION, f"weasyprint {weasyprint_version()}", *options):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    h.update(html.encode("utf-8"))
    for data in attachments:
        h.update(b"\0att\0")
        h.update(hashlib.blake2b(data, digest_size=20).digest())
    return h.hexdigest()


class RenderCache:
    def __init__(self, root: Path) -> None:
        self.directory = root / CACHE_SUBDIR

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.directory / f"{key}.pdf", self.directory / f"{key}.json"

    def _ensure(self) -> None:
        if not self.directory.is_dir():
            self.directory.mkdir(parents=True, exist_ok=True)
            top = self.directory.parent / ".gitignore"
            if not top.exists():
                atomic_write_text(top, "*\n")

    def pages(self, key: str) -> int | None:
        _pdf, meta = self._paths(key)
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        pages = data.get("pages") if isinstance(data, dict) else None
        return pages if isinstance(pages, int) and _pdf.is_file() else None

    def meta(self, key: str) -> dict[str, Any]:
        """The sidecar of a cached document (``pages`` and whatever the writer added)."""
        try:
            data = json.loads(self._paths(key)[1].read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def read(self, key: str) -> bytes:
        return self._paths(key)[0].read_bytes()

    def write(self, key: str, pdf: bytes, pages: int, meta: dict[str, Any] | None = None) -> None:
        self._ensure()
        pdf_path, meta_path = self._paths(key)
        atomic_write_bytes(pdf_path, pdf)
        atomic_write_text(meta_path, json.dumps({"pages": pages, **(meta or {})}, sort_keys=True))

    def hint(self, name: str) -> int | None:
        try:
            data = json.loads((self.directory / "hints.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        value = data.get(name) if isinstance(data, dict) else None
        return value if isinstance(value, int) else None

    def set_hint(self, name: str, value: int) -> None:
        self._ensure()
        path = self.directory / "hints.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                data = {}
        except (OSError, ValueError):
            data = {}
        data[name] = value
        atomic_write_text(path, json.dumps(data, sort_keys=True))
