"""The correlation tables as data: both directions, evidence tags, confidence, a future table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qms.cli.main import main
from qms.errors import QmsError
from qms.standards import correlation
from qms.standards.correlation import TO_CONFIRM, VERIFIED, correlations, load_dir, lookup


def test_both_directions_are_shipped_with_their_evidence() -> None:
    corr = correlations()
    forward = corr.table("2008", "2015")
    backward = corr.table("ISO 9001:2015", "2008")
    assert forward.get("4.2.3").to == ("7.5.2", "7.5.3")
    assert forward.get("4.2.3").evidence == "seen_dis"
    assert backward.get("6.1").to == ("5.4.2", "8.5.3")
    assert backward.get("6.1").evidence == "seen_n1293"
    assert not forward.get("4.2.3").derived
    assert not backward.get("6.1").derived


def test_only_verified_evidence_is_certain() -> None:
    forward = correlations().table("2008", "2015")
    assert forward.get("4.2").confidence == VERIFIED  # evidence: seen_dis
    assert forward.get("8.5.3").confidence == TO_CONFIRM  # evidence: inverse (N1293's tables are not exact inverses)
    assert forward.get("8.2.2").confidence == TO_CONFIRM  # evidence: recalled
    assert forward.get("5.5.3").confidence == TO_CONFIRM  # third-party variant only
    for row in forward.rows.values():
        if row.evidence == "recalled":
            assert row.confidence == TO_CONFIRM


def test_lookup_answer_for_4_2_3() -> None:
    answer = lookup("4.2.3")
    assert answer["clause"] == "4.2.3"
    assert answer["from"] == "2008"
    assert answer["to"] == ["7.5.2", "7.5.3"]
    assert answer["evidence"] == "seen_dis"
    assert answer["confidence"] == "verified"
    assert answer["title"] == {"en": "Control of documents", "vi": "Kiểm soát tài liệu"}
    assert answer["to_titles"]["7.5.3"]["vi"] == "Kiểm soát thông tin dạng văn bản"


def test_unlisted_sub_clause_goes_through_its_parent_and_is_to_confirm() -> None:
    answer = lookup("7.5.3.1", "2015")
    assert answer["to"] == ["4.2.3", "4.2.4"]
    assert answer["confidence"] == "to confirm"
    assert answer["derived"]


SYNTHETIC = """\
correlation: {from: "2015", to: "2026"}
verified_evidence: [seen]
source: synthetic test table
rows:
  "6.1": {to: ["6.1.1", "6.1.2"], evidence: seen, note: split}
  "7.1.6": {to: ["7.1.6"], evidence: guessed}
"""


def test_a_future_table_needs_only_a_yaml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for src in correlation.data_dir().glob("correlation_*.yaml"):
        (data / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    (data / "correlation_2015_to_2026.yaml").write_text(SYNTHETIC, encoding="utf-8")
    monkeypatch.setattr(correlation, "data_dir", lambda: data)
    correlations.cache_clear()
    try:
        corr = correlations()
        assert ("2015", "2026") in corr.tables
        assert ("2026", "2015") in corr.tables
        row = corr.table("2015", "2026").get("6.1")
        assert row.to == ("6.1.1", "6.1.2")
        assert row.confidence == VERIFIED
        assert row.note == "split"
        assert corr.table("2015", "2026").get("7.1.6").confidence == TO_CONFIRM
        back = corr.table("2026", "2015").get("6.1.2")
        assert back.to == ("6.1",)
        assert back.derived
        assert back.evidence == "inverse-of:seen"
        answer = lookup("6.1", "2015", "2026")
        assert answer["to"] == ["6.1.1", "6.1.2"]
        assert answer["to_titles"]["6.1.1"] == {"en": "", "vi": ""}
        assert lookup("6.1", "2015")["to_edition"] == "2008"  # the default pair stays 2008 <-> 2015
        assert lookup("6.1.2", "2026")["to_edition"] == "2015"
    finally:
        correlations.cache_clear()


def test_a_broken_table_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "correlation_x.yaml").write_text("correlation: {from: 2015}\nrows: {}\n", encoding="utf-8")
    with pytest.raises(QmsError, match="needs `from:` and `to:`"):
        load_dir(tmp_path)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_map_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run_cli(["migrate", "map", "4.2.3", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["to"] == ["7.5.2", "7.5.3"]
    assert data["confidence"] == "verified"


def test_cli_map_text_marks_recalled_rows(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run_cli(["migrate", "map", "8.2.2"], capsys)
    assert code == 0
    assert "to confirm" in out
    assert "evidence: recalled" in out


@pytest.mark.parametrize(("args", "message"), [
    (["migrate", "map", "9.9"], "not in the ISO 9001:2008"),
    (["migrate", "map", "abc"], "not a clause number"),
    (["migrate", "map", "4.1", "--from", "2019"], "no correlation table"),
    (["migrate", "map", "4.1", "--from", "xyz"], "unknown edition"),
])
def test_cli_map_bad_input(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_cli(args, capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
