"""Incremental re-render through the cache, parallel workers, HTML site output and CLI errors."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from conftest import make_repo, pdftotext_pages

from qms.cli.main import cli


def test_incremental_rerender_redoes_only_the_edited_procedure(tmp_path: Path) -> None:
    from qms.render.documents import RenderOptions, render

    root = make_repo(tmp_path / "repo", procedures=2)
    out = tmp_path / "m.pdf"
    first = render(root, "manual", None, out, RenderOptions(lang="vi", jobs=2))
    assert first.rendered == 3  # two procedures (in worker processes) and the front matter
    # cold: the front matter's length is measured while the workers render, so the real pass settles
    assert first.front_passes == 2
    toc_first = pdftotext_pages(out)
    assert "Mã hiệu: QT-HT-01" in toc_first[int(re.search(  # type: ignore[union-attr]
        r"QT-HT-01 .*?\.{3,}\s*tr\. 1–\d+\s*(\d+)", "\n".join(toc_first)).group(1)) - 1]
    again = render(root, "manual", None, out, RenderOptions(lang="vi"))
    assert again.rendered == 0
    assert again.cached == 2
    path = root / "processes" / "QT-HT-02.yaml"
    text = path.read_text(encoding="utf-8")
    extra = "".join(f"  - {{id: 'NĐ {n}/2020/NĐ-CP', legal_basis: true}}\n" for n in range(60))
    path.write_text(text.replace("references:\n", "references:\n" + extra), encoding="utf-8")
    edited = render(root, "manual", None, out, RenderOptions(lang="vi"))
    assert edited.cached == 1
    assert edited.rendered == 1 + edited.front_passes
    pages = pdftotext_pages(out)
    front_total = int(re.search(r"Trang 1/(\d+)", pages[0]).group(1))  # type: ignore[union-attr]
    toc = "\n".join(pages[:front_total])
    second = int(re.search(r"QT-HT-02 .*?\.{3,}\s*tr\. 1–\d+\s*(\d+)", toc).group(1))  # type: ignore[union-attr]
    assert "Mã hiệu: QT-HT-02" in pages[second - 1]
    assert "Trang 1/" in pages[second - 1]
    assert "NĐ 59/2020/NĐ-CP" in "\n".join(pages[second - 1:])


def test_html_site(repo: Path, tmp_path: Path, monkeypatch: object) -> None:
    runner = CliRunner()
    out = tmp_path / "site"
    result = runner.invoke(cli, ["--root", str(repo), "render", "manual", "--format", "html", "-o", str(out),
                                 "--lang", "vi"])
    assert result.exit_code == 0, result.output
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="QT-HT-01.html"' in index
    assert "Sổ tay chất lượng" in index
    page = (out / "QT-HT-01.html").read_text(encoding="utf-8")
    assert "1. Mục đích" in page
    assert 'url("assets/fonts/NotoSans-Regular.ttf")' in page
    assert (out / "assets" / "fonts" / "NotoSans-Regular.ttf").stat().st_size > 10_000
    assert "qms-asset:" not in page
    assert "file://" not in page


def test_cli_errors_are_clear(repo: Path, tmp_path: Path) -> None:
    from qms.cli.main import main

    runner = CliRunner()
    for args, expected in [
        (["render", "procedure", "QT-HT-99", "-o", str(tmp_path / "x.pdf")], "no procedure with id 'QT-HT-99'"),
        (["render", "procedure", "-o", str(tmp_path / "x.pdf")], "needs a procedure id"),
        (["render", "manual", "X", "-o", str(tmp_path / "x.pdf")], "takes no ID"),
        (["render", "manual", "-o", str(tmp_path)], "is a directory"),
    ]:
        result = runner.invoke(cli, ["--root", str(repo), *args], standalone_mode=False)
        assert result.exception is not None
        assert expected in str(getattr(result.exception, "message", result.exception))
    (repo / "processes" / "QT-HT-01.yaml").write_text("id: [\n", encoding="utf-8")
    import pytest

    with pytest.raises(SystemExit) as exc:
        main(["--root", str(repo), "render", "manual", "-o", str(tmp_path / "x.pdf")])
    assert exc.value.code == 2


def test_cli_renders_a_pdfa_procedure(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "p.pdf"
    result = CliRunner().invoke(cli, ["--root", str(repo), "render", "procedure", "QT-HT-01", "-o", str(out),
                                      "--pdf-variant", "pdf/a-3b", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Rendered" in result.output
    assert "Mục đích" not in "\n".join(pdftotext_pages(out))
