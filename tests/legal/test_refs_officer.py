"""A quality officer's citations in a procedure of the example organisation, as `qms check` and
`qms refs impact` read them on a day after the one-stop chain changed (NĐ 224/2026 from 01/07/2026)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from example_repo import copy_example

from qms.cli.main import main

PROC = "processes/QT-HT-01.yaml"


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    try:
        main(["--root", str(root), "--lang", "vi", *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_citations_typos_and_a_repealed_article(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """L1: a procedure issued after 01/07/2026 that cites khoản 9 Điều 1 of NĐ 367/2025 (repealed from that
    day) is a finding, and `refs impact` lists it (nothing was reported). L2: "118/2025/ND-CP", written
    without the Vietnamese Đ, names NĐ 118/2025/NĐ-CP (it was an unknown reference). L3: the evidence tag
    of a superseded-document finding reads in Vietnamese (it printed the raw tag "two_sources"). L4: a procedure
    at the abolished district level names the levels in Vietnamese (it printed "levels: province, commune")."""
    root = copy_example(tmp_path / "org")
    text = (root / PROC).read_text(encoding="utf-8")
    refs = ("  - {id: TT 04/2020/TT-BTP, legal_basis: true}\n"
            "  - {id: khoản 9 Điều 1 Nghị định số 367/2025/NĐ-CP}\n"
            "  - {id: 118/2025/ND-CP}\n"
            "  - {id: Điều 1 NĐ 367/2025/NĐ-CP}\n"
            "  - {id: TT 01/2018/TT-VPCP}\n")
    assert "  - {id: TT 04/2020/TT-BTP, legal_basis: true}\n" in text
    text = text.replace("  - {id: TT 04/2020/TT-BTP, legal_basis: true}\n", refs)
    text = text.replace("  issued_on: 2026-01-05\n", "  issued_on: 2026-08-03\n")
    text = text.replace("  effective_date: 2026-01-05\n", "  effective_date: 2026-08-03\n")
    assert '  regime: "2025"\n' in text
    text = text.replace('  regime: "2025"\n', '  regime: "2025"\n  level: district\n')
    (root / PROC).write_text(text, encoding="utf-8")

    code, out, err = run(capsys, root, "check", "--as-of", "2026-12-07", "--format", "json", str(root / PROC))
    found = {(d["code"], d["pointer"]): d for d in json.loads(out)["diagnostics"] if d["code"].startswith("QMS15")}
    repealed = found.get(("QMS152", "/references/3/id"))
    assert repealed is not None, (found, err)
    assert repealed["severity"] == "error"
    assert "khoản 9 Điều 1" in repealed["message"] and "224/2026/NĐ-CP" in repealed["message"]
    assert "2026-10-01" in repealed["message"]
    assert ("QMS152", "/references/5/id") not in found  # Điều 1 as a whole was amended before the issue
    assert not [k for k in found if k[0] == "QMS150"], found
    level = found[("QMS159", "/administrative/level")]["message"]
    assert "cấp huyện" in level and "tỉnh, xã" in level and "province" not in level, level
    superseded = found[("QMS151", "/references/6/id")]
    assert "two_sources" not in superseded["message"] and "hai nguồn không chính thức" in superseded["message"]

    code, out, err = run(capsys, root, "refs", "impact", "367/2025/NĐ-CP", "--format", "json",
                         "--as-of", "2026-12-07")
    assert code == 0, err
    rows = {r["process"]: r for r in json.loads(out)["affected"]}
    assert rows["QT-HT-01"] == {"process": "QT-HT-01", "due": "2026-10-01", "overdue": True}
    code, out, err = run(capsys, root, "refs", "impact", "118/2025/ND-CP", "--as-of", "2026-12-07")
    assert code == 0, err
    assert "QT-HT-01" in out
