"""A revision not yet in effect (a draft opened by `qms doc revise`, with no effective_date) printed an empty
"Ngày hiệu lực:" / "Effective date:" in the running header and the control table of the procedure, the Word
export and the manual's list of documents. It now reads "chưa có hiệu lực" / "not yet in effect", the way a
missing issue date reads "chưa ban hành" / "not yet issued"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from example_repo import copy_example

from qms.render import documents as docs
from qms.render.viewmodels import manual_view
from qms.store.workspace import Workspace, load_workspace

WORDING = {"vi": ("Ngày hiệu lực", "chưa có hiệu lực", "Ngày ban hành", "chưa ban hành"),
           "en": ("Effective date", "not yet in effect", "Date issued", "not yet issued")}


@pytest.fixture(scope="module")
def draft_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example with QT-HT-01 reopened as a draft revision: no issued_on, no effective_date."""
    org = copy_example(tmp_path_factory.mktemp("eff") / "org")
    path = org / "processes" / "QT-HT-01.yaml"
    text = path.read_text(encoding="utf-8")
    dated = "  revision: 1\n  issued_on: 2026-01-05\n  effective_date: 2026-01-05\n"
    assert dated in text
    path.write_text(text.replace(dated, "  revision: 2\n  state: draft\n"), encoding="utf-8")
    return org


@pytest.fixture(scope="module")
def draft_ws(draft_org: Path) -> Workspace:
    return load_workspace(draft_org)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_draft_procedure_says_it_is_not_yet_in_effect(draft_ws: Workspace, lang: str) -> None:
    """E1: the running header and the control table of a draft procedure (PDF and HTML share them)."""
    label, wording, issued_label, issued_wording = WORDING[lang]
    view, _proc, _path = next(v for v in docs.procedure_views(draft_ws, lang) if v[1].id == "QT-HT-01")
    html = docs.procedure_html(view, lang, site=True)
    assert f"<div>{label}: {wording}</div>" in html
    assert f"<th>{label}</th><td>{wording}</td>" in html
    assert f'data-eff="{wording}"' in html  # the printed running header takes it from here
    assert f"<div>{issued_label}: {issued_wording}</div>" in html
    assert not re.search(rf"{label}:\s*<", html) and f"<th>{label}</th><td></td>" not in html


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_list_of_documents_says_so(draft_ws: Workspace, lang: str) -> None:
    """E2: the manual's list of documents (PDF, HTML and Word)."""
    rows = {row[0]: row for row in manual_view(draft_ws, lang).documents}
    assert rows["QT-HT-01"][3] == WORDING[lang][1]
    assert rows["QT-HT-02"][3] == "05/01/2026"


def test_the_word_export_reads_the_same_field(draft_ws: Workspace) -> None:
    """E3: the Word export prints ``control.effective_date`` in its header and control table (render.docx), the
    same view-model field as the PDF and the site."""
    for lang in ("vi", "en"):
        view, _proc, _path = next(v for v in docs.procedure_views(draft_ws, lang) if v[1].id == "QT-HT-01")
        assert view.control.effective_date == WORDING[lang][1]
