"""The logo declared in qms.yaml is a repository file, fetched only through the restricted fetcher
(PDF) or the store's bounded image reader (HTML site), never anything else (issue 13 item 6)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "render" / "data" / "mini"


def _repo(tmp_path: Path, logo: str) -> Path:
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(MINI, root)
    manifest = root / "qms.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("  short_name:", f"  logo: {logo}\n  short_name:", 1), encoding="utf-8")
    return root


def _qms(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qms", *args], capture_output=True, text=True, timeout=300,
                          check=False)


@pytest.mark.parametrize("logo", ["../outside.png", "/etc/logo.png", "assets/../../x.png", "logo.gif"])
def test_a_logo_path_outside_the_repository_is_a_schema_error(tmp_path: Path, logo: str) -> None:
    """L1: qms.yaml may only name a PNG, JPEG or SVG by a relative path that stays inside the repository."""
    root = _repo(tmp_path, logo)
    done = _qms("--root", str(root), "check", "--format", "json")
    assert done.returncode == 1
    assert "logo" in done.stdout
    assert "Traceback" not in done.stderr


def test_render_with_a_logo_outside_the_repository_says_where_and_why(tmp_path: Path) -> None:
    """L1b: `qms render` with a logo named by an absolute path was refused with only "these files do not
    load: qms.yaml" and "run qms check". It now names the line and column, the field and the value, and
    gives the fix (a relative path inside the repository); nothing is written."""
    root = _repo(tmp_path, "/etc/logo.png")
    line = root.joinpath("qms.yaml").read_text(encoding="utf-8").splitlines().index("  logo: /etc/logo.png") + 1
    pdf = tmp_path / "p.pdf"
    done = _qms("--root", str(root), "--lang", "en", "render", "procedure", "QT-HT-01", "-o", str(pdf))
    assert done.returncode == 2, done.stderr
    assert f"qms.yaml:{line}:9: /organisation/logo:" in done.stderr and "'/etc/logo.png'" in done.stderr
    assert "SVG file inside the repository by its relative path, e.g. assets/logo.png" in done.stderr
    assert "Traceback" not in done.stderr and not pdf.exists()


def test_a_logo_linked_out_of_the_repository_is_not_copied_into_the_site(tmp_path: Path) -> None:
    """L2: a logo that is a symlink to a file outside the repository is refused with a warning, in the site
    and in the PDF; the secret never reaches the output."""
    secret = tmp_path / "secret.png"
    buf = io.BytesIO()
    Image.new("RGB", (7, 7), (1, 2, 3)).save(buf, format="PNG")
    secret.write_bytes(buf.getvalue())
    root = _repo(tmp_path, "assets/logo.png")
    (root / "assets").mkdir()
    (root / "assets" / "logo.png").symlink_to(secret)
    site = tmp_path / "site"
    done = _qms("--root", str(root), "render", "manual", "--format", "html", "-o", str(site))
    assert done.returncode == 0, done.stderr
    assert "assets/logo.png" in done.stderr and "warning" in done.stderr
    assert not (site / "assets" / "logo.png").exists()
    assert not any("<img" in page.read_text(encoding="utf-8") for page in site.glob("*.html"))  # no broken image
    pdf = tmp_path / "p.pdf"
    done = _qms("--root", str(root), "render", "procedure", "QT-HT-01", "-o", str(pdf))
    assert done.returncode == 0, done.stderr
    assert "refused" in done.stderr
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    assert not any(page.images for page in reader.pages)
    # L5: the PDF's header left the refused <img> as its alternative text (the agency's short name beside its
    # name, on every page) and the warning gave a machine path and no fix; the logo is now left out and the
    # warning is the site's: the file, why, and the fix
    first = " ".join(reader.pages[0].extract_text().split())
    assert "UBND TP Sông Lam" not in first and "Song Lam PC" not in first, first[:300]  # the short name, as alt
    assert "file://" not in done.stderr and "To fix: " in done.stderr


def test_a_decompression_bomb_logo_is_refused(tmp_path: Path) -> None:
    """L3: a small PNG that decodes to more than image_pixels is refused before it is decoded."""
    root = _repo(tmp_path, "assets/logo.png")
    (root / "assets").mkdir()
    buf = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buf, format="PNG")  # 144 Mpx, a few kB on disk
    (root / "assets" / "logo.png").write_bytes(buf.getvalue())
    site = tmp_path / "site"
    done = _qms("--root", str(root), "render", "manual", "--format", "html", "-o", str(site))
    assert done.returncode == 0, done.stderr
    assert "assets/logo.png" in done.stderr
    assert not (site / "assets" / "logo.png").exists()


def test_a_refused_logo_leaves_no_broken_image_on_the_site(tmp_path: Path) -> None:
    """L4: a logo that is refused (here a text file named .png; L2 covers a symlink out of the repository)
    left an <img> pointing at a file the site never got: a broken image on every page. The site now omits
    the logo, and the refusal is one warning naming the file, why, and how to fix it."""
    import re

    root = _repo(tmp_path, "assets/logo.png")
    (root / "assets").mkdir()
    (root / "assets" / "logo.png").write_bytes(b"not an image\n")
    site = tmp_path / "site"
    done = _qms("--root", str(root), "--lang", "en", "render", "manual", "--format", "html", "-o", str(site))
    assert done.returncode == 0, done.stderr
    pages = sorted(site.glob("*.html"))
    assert len(pages) > 1
    for page in pages:
        for src in re.findall(r'<img[^>]*\bsrc="([^"]*)"', page.read_text(encoding="utf-8")):
            assert (site / src).is_file(), f"{page.name}: broken image {src}"
    warnings = [line for line in done.stderr.splitlines() if "assets/logo.png" in line]
    assert len(warnings) == 1, done.stderr
    assert warnings[0].startswith("warning: the logo assets/logo.png is refused and left out: ")
    assert "To fix: " in warnings[0] and "organisation.logo" in warnings[0]
    assert "BytesIO" not in done.stderr and "Traceback" not in done.stderr
