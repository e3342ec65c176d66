"""Fixtures for the render tests: a small repository (1–2 procedures) and rendered PDFs, made once."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "mini"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-golden", action="store_true", default=False,
                     help="rewrite tests/render/golden/*.html (or set QMS_REGEN_GOLDEN=1)")


@pytest.fixture(scope="session", autouse=True)
def _shared_font_dir() -> Iterator[None]:
    # Derived fonts take a few seconds to build: share them between tests and xdist workers.
    # Cache entries are authenticated with the cache key, so the shared fonts need a shared key too
    # (a key per session would make each session reject, and rebuild, the other's fonts).
    directory = Path(tempfile.gettempdir()) / f"qms-render-test-fonts-{os.getuid()}"
    saved = {name: os.environ.get(name) for name in ("QMS_RENDER_FONT_DIR", "QMS_CACHE_KEY_FILE")}
    os.environ["QMS_RENDER_FONT_DIR"] = str(directory)
    os.environ["QMS_CACHE_KEY_FILE"] = str(directory.with_name(directory.name + ".key"))
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def make_repo(target: Path, procedures: int = 1) -> Path:
    shutil.copytree(DATA, target)
    source = (target / "processes" / "QT-HT-01.yaml").read_text(encoding="utf-8")
    for n in range(2, procedures + 1):
        text = source.replace("QT-HT-01", f"QT-HT-{n:02d}").replace("Đăng ký khai sinh", f"Thủ tục số {n}")
        (target / "processes" / f"QT-HT-{n:02d}.yaml").write_text(text, encoding="utf-8")
    return target


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The manual (vi), the manual (en, PDF/A-3b) and one procedure, rendered once per session."""
    from qms.render.documents import RenderOptions, render

    root = make_repo(tmp_path_factory.mktemp("rendered") / "repo", procedures=2)
    out = root / "out"
    paths = {
        "manual-vi": out / "manual-vi.pdf",
        "manual-en": out / "manual-en.pdf",
        "procedure": out / "QT-HT-01.pdf",
    }
    render(root, "manual", None, paths["manual-vi"], RenderOptions(lang="vi"))
    render(root, "manual", None, paths["manual-en"], RenderOptions(lang="en", variant="pdf/a-3b"))
    render(root, "procedure", "QT-HT-01", paths["procedure"], RenderOptions(lang="vi"))
    paths["root"] = root
    return paths


def pdftotext_pages(path: Path) -> list[str]:
    """Text of each page (pdftotext, falling back to pypdf when poppler is missing)."""
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                              capture_output=True).stdout.decode("utf-8")
        pages = text.split("\f")
        return pages[:-1] if pages and not pages[-1].strip() else pages
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(str(path)).pages]
