"""`qms migrate map|check|apply|report` with --from/--to, through the real command line (subprocesses)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from example_repo import copy_example

REPO = Path(__file__).resolve().parents[2]
#: the keys `qms migrate map --format json` had before `targets` was added; scripts rely on them
OLD_KEYS = {"clause", "from", "to_edition", "to", "evidence", "confidence", "title", "to_titles", "note", "derived"}


def qms(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_LANG": "en", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "qms", *args], capture_output=True, text=True, cwd=cwd or REPO,
                          env=env, timeout=120, check=False)


def map_json(*args: str) -> dict[str, object]:
    done = qms("migrate", "map", *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert isinstance(data, dict)
    return data


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "example")


def test_5_6_shows_the_published_row_and_the_rows_derived_from_the_2015_table() -> None:
    """C1: 2008 5.6 → 9.3 is published; → 4.1 and 4.2 come from the 2015 → 2008 table, each with its evidence."""
    data = map_json("5.6")
    assert set(data) >= OLD_KEYS
    assert data["to"] == ["9.3"]  # the published row, as before
    targets = data["targets"]
    assert isinstance(targets, list)
    assert [t["clause"] for t in targets] == ["9.3", "4.1", "4.2"]
    for t in targets:
        assert {"clause", "evidence", "confidence"} <= set(t)
    published, *derived = targets
    assert published == {"clause": "9.3", "evidence": "recalled", "confidence": "to confirm", "origin": "published"}
    for t in derived:
        assert t["origin"] == "inverse"
        assert t["confidence"] == "to confirm"
        assert t["evidence"] == "inverse-of:seen_n1293"  # the 2015 → 2008 rows 4.1 and 4.2 were read in N1293
        assert t["via"] == f"{t['clause']} → 4, 5.6"
    assert set(data["to_titles"]) == {"9.3", "4.1", "4.2"}


def test_5_6_in_text_names_each_target_with_its_origin_and_evidence() -> None:
    """C2: the text answer says which target is published and which is derived, with the evidence of each."""
    done = qms("migrate", "map", "5.6")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    i93 = next(i for i, line in enumerate(lines) if "ISO 9001:2015 9.3" in line)
    assert "published, to confirm (evidence: recalled from memory (to confirm))" in lines[i93 + 1]
    for clause in ("4.1", "4.2"):
        i = next(i for i, line in enumerate(lines) if f"ISO 9001:2015 {clause} " in line)
        assert ("derived from the ISO 9001:2015 → 2008 table, to confirm (evidence: its row in the inverse table "
                "is read in the published table)") in lines[i + 1]
    assert "seen_" not in done.stdout and "inverse-of" not in done.stdout


def test_map_text_names_the_evidence_in_words_in_vietnamese() -> None:
    """C2b: `qms --lang vi migrate map 4.2.3` says in words how each row was verified; before, it showed the
    table's tag ("bằng chứng: seen_dis")."""
    done = qms("--lang", "vi", "migrate", "map", "4.2.3")
    assert done.returncode == 0, done.stderr
    assert "bằng chứng: đã đối chiếu với bảng tương ứng đã công bố" in done.stdout, done.stdout
    assert "seen_" not in done.stdout, done.stdout


def test_8_4_from_2008_4_1_is_to_confirm() -> None:
    """C3: 2015 8.4 ← 2008 4.1 was obtained by inverting the other table: to confirm, never verified."""
    data = map_json("4.1")
    by_clause = {t["clause"]: t for t in data["targets"]}  # type: ignore[union-attr]
    assert by_clause["4.4"]["confidence"] == "verified"  # seen in the DIS
    assert by_clause["8.4"]["confidence"] == "to confirm"
    assert by_clause["8.4"]["origin"] == "inverse"
    assert data["confidence"] == "to confirm"  # the row is only as sure as its least sure target


def test_no_inverse_derived_target_is_verified() -> None:
    """C4: across both shipped directions, a target obtained by inversion is never verified."""
    from qms.standards.correlation import correlations

    corr = correlations()
    seen = 0
    for pair in (("2008", "2015"), ("2015", "2008")):
        for row in corr.table(*pair).rows.values():
            for target in row.all_targets():
                if target.origin == "inverse" or target.evidence.startswith("inverse"):
                    seen += 1
                    assert target.confidence == "to confirm", (pair, row.clause, target)
    assert seen > 20


def test_the_2026_path_is_an_identity_table_all_to_confirm(example: Path) -> None:
    """C5: 2015 → 2026 maps a clause to itself, to confirm; an unknown clause is a usage error."""
    data = map_json("6.1", "--from", "2015", "--to", "2026")
    assert data["to"] == ["6.1"]
    assert data["targets"] == [{"clause": "6.1", "evidence": "identity-default", "confidence": "to confirm",
                                "origin": "identity"}]
    done = qms("migrate", "map", "9.9", "--from", "2015", "--to", "2026")
    assert done.returncode == 2
    assert "not in the ISO 9001:2015 → 2026 table" in done.stderr
    assert "Traceback" not in done.stderr


def test_apply_to_an_unverified_edition_is_refused_and_writes_nothing(example: Path) -> None:
    """C6: `apply --from 2015 --to 2026` is refused (exit 2): qms ships no 2026 catalogue; nothing changes."""
    before = snapshot(example)
    done = qms("--root", str(example), "migrate", "apply", "--from", "2015", "--to", "2026")
    assert done.returncode == 2
    assert "no clause catalogue" in done.stderr
    assert "migrate map CLAUSE --from 2015 --to 2026" in done.stderr
    assert snapshot(example) == before


def test_apply_back_to_a_withdrawn_edition_is_refused(example: Path) -> None:
    """C7: `apply --from 2015 --to 2008` is refused: 2008 is withdrawn."""
    done = qms("--root", str(example), "migrate", "apply", "--from", "2015", "--to", "2008", "--dry-run")
    assert done.returncode == 2
    assert "withdrawn" in done.stderr


def test_check_and_report_take_from_and_to(example: Path, tmp_path: Path) -> None:
    """C8: `check` and `report` accept --from/--to; the report says the migration is not possible yet."""
    done = qms("--root", str(example), "migrate", "check", "--from", "2015", "--to", "2026", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert (data["from"], data["to"]) == ("2015", "2026")
    assert data["leftovers"] == []
    out = tmp_path / "report.json"
    done = qms("--root", str(example), "migrate", "report", "--from", "2015", "--to", "2026", "-o", str(out))
    assert done.returncode == 0, done.stderr
    vm = json.loads(out.read_text(encoding="utf-8"))
    assert vm["title"] == "ISO 9001:2015 → ISO 9001:2026 transition report"
    assert vm["state"] == "not possible yet"
    assert "no clause catalogue" in vm["blocked"]


def test_check_reports_the_climate_decision(example: Path) -> None:
    """C9: the default check (2008 → 2015) folds the Amd 1:2024 decision into 4.1; removing it opens the gap."""
    done = qms("--root", str(example), "migrate", "check", "--format", "json")
    gap = next(g for g in json.loads(done.stdout)["gaps"] if g["clause"] == "4.1")
    assert gap["status"] == "covered"
    assert "qms.yaml context.climate_change" in gap["evidence"]
    text = (example / "qms.yaml").read_text(encoding="utf-8")
    start = text.index("context:\n")
    end = text.index("scope:\n", start)
    (example / "qms.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    done = qms("--root", str(example), "migrate", "check", "--format", "json")
    gap = next(g for g in json.loads(done.stdout)["gaps"] if g["clause"] == "4.1")
    assert gap["status"] == "partial"
    assert "context.climate_change" in gap["action"]


@pytest.mark.parametrize(("args", "message"), [
    (["migrate", "check", "--from", "2019"], "no correlation table"),
    (["migrate", "apply", "--to", "20x6"], "unknown edition"),
    (["migrate", "report", "--from", "2015", "--to", "2015", "-o", "r.json"], "no correlation table"),
])
def test_bad_editions_are_usage_errors(args: list[str], message: str, example: Path) -> None:
    """C10: an unknown edition or pair is exit 2 with a hint, never a traceback."""
    done = qms("--root", str(example), *args, cwd=example)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (example / "r.json").exists()
