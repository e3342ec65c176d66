"""Golden HTML per document kind. Regenerate with ``pytest tests/render --regen-golden`` or
``QMS_REGEN_GOLDEN=1``, then review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import make_repo

GOLDEN = Path(__file__).parent / "golden"


def _html(root: Path, kind: str, lang: str) -> str:
    from qms.render import documents as d
    from qms.render.viewmodels import TocEntry

    ws = d.load_for_render(root)
    if kind == "procedure":
        return d.procedure_html(d.procedure_views(ws, lang)[0][0], lang)
    if kind == "manual":
        views = d.procedure_views(ws, lang)
        toc = [TocEntry(v.control.code, v.title, "", 14 + i * 4) for i, (v, _p, _path) in enumerate(views)]
        return d.manual_html(ws, lang, toc)
    return d._standalone(ws, kind, lang)


@pytest.mark.parametrize(("kind", "lang"), [("manual", "vi"), ("procedure", "vi"), ("procedure", "en"),
                                            ("matrix", "vi"), ("records", "en")])
def test_golden_html(kind: str, lang: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    root = make_repo(tmp_path / "repo", procedures=2)
    html = _html(root, kind, lang)
    golden = GOLDEN / f"{kind}-{lang}.html"
    if request.config.getoption("--regen-golden") or os.environ.get("QMS_REGEN_GOLDEN"):
        golden.write_text(html, encoding="utf-8")
    assert golden.is_file(), f"missing {golden.name}: run with --regen-golden"
    assert html == golden.read_text(encoding="utf-8")
    assert str(tmp_path) not in html  # no machine paths


def test_html_is_deterministic(tmp_path: Path) -> None:
    a = _html(make_repo(tmp_path / "a"), "manual", "vi")
    b = _html(make_repo(tmp_path / "b"), "manual", "vi")
    assert a == b
