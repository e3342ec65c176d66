"""Content-addressed cache of rendered PDFs (safe to delete).

The key of a document is a hash of its final HTML (itself a function of the YAML inputs, the
templates and the CSS), its attachments, the render options, :data:`TEMPLATE_VERSION` and the
WeasyPrint version. Entries live in the repository's private ``render`` folder outside the working
tree and are authenticated (:mod:`qms.store.cache_dir`): a forged entry is a miss, rendered again.
Each is written atomically: the PDF first, then its ``.json`` sidecar, whose presence marks the
entry as complete.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from qms.errors import QmsError
from qms.i18n import _
from qms.render.env import TEMPLATE_VERSION
from qms.store.cache_dir import CacheArea, repository_area

CACHE_SUBDIR = "render"


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
    from qms.store.cache import code_stamp

    for part in (TEMPLATE_VERSION, code_stamp(), f"weasyprint {weasyprint_version()}", *options):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    h.update(html.encode("utf-8"))
    for data in attachments:
        h.update(b"\0att\0")
        h.update(hashlib.blake2b(data, digest_size=20).digest())
    return h.hexdigest()


class RenderCache:
    def __init__(self, root: Path) -> None:
        self.area: CacheArea = repository_area(root, CACHE_SUBDIR)
        self.area.ready()  # before any worker is forked, so that they all write to the same place
        self._pdfs: dict[str, bytes] = {}  # verified PDFs, read once

    @property
    def directory(self) -> Path:
        return self.area.directory

    def _json(self, name: str) -> dict[str, Any]:
        payload = self.area.read(name)
        if payload is None:
            return {}
        try:
            data = json.loads(payload.decode("utf-8"))
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def _pdf(self, key: str) -> bytes | None:
        data = self._pdfs.get(key)
        if data is None:
            data = self.area.read(f"{key}.pdf")
            if data is not None:
                self._pdfs[key] = data
        return data

    def pages(self, key: str) -> int | None:
        """The page count of a complete, authentic entry; None is a miss."""
        pages = self._json(f"{key}.json").get("pages")
        if not isinstance(pages, int) or self._pdf(key) is None:
            return None
        return pages

    def meta(self, key: str) -> dict[str, Any]:
        """The sidecar of a cached document (``pages`` and whatever the writer added)."""
        return self._json(f"{key}.json")

    def read(self, key: str) -> bytes:
        data = self._pdf(key)
        if data is None:  # removed or altered since :meth:`pages` found it
            self.area.remove(f"{key}.json")
            raise QmsError(_("a rendered document changed in the render cache while qms was using it"),
                           _("rerun the command"))
        return data

    def write(self, key: str, pdf: bytes, pages: int, meta: dict[str, Any] | None = None) -> None:
        self._pdfs.pop(key, None)
        if self.area.write(f"{key}.pdf", pdf):
            self.area.write(f"{key}.json", json.dumps({"pages": pages, **(meta or {})}, sort_keys=True).encode())
        self._pdfs[key] = pdf

    def hint(self, name: str) -> int | None:
        value = self._json("hints.json").get(name)
        return value if isinstance(value, int) else None

    def set_hint(self, name: str, value: int) -> None:
        data = self._json("hints.json")
        data[name] = value
        self.area.write("hints.json", json.dumps(data, sort_keys=True).encode())
