"""The example organisation (Song Lam Ward) passes `qms check --profile strict` with no findings at all,
through the real CLI entry point, and holds the procedures and forms the documentation promises."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
# A fixed day keeps the periodic-review and objective-plan rules deterministic (documents are effective
# 2026-01-05 with a 12-month review interval).
TODAY = "2026-11-28"


def test_example_passes_strict_profile_with_no_findings(run_qms, example_copy: Path) -> None:
    r = run_qms("--root", str(example_copy), "check", "--profile", "strict", "--no-cache", "--today", TODAY,
                "--fail-on", "info", "--format", "json")
    data = json.loads(r.stdout)
    assert data["diagnostics"] == [], "\n".join(
        f"{d['path']}:{d['line']}:{d['column']} {d['code']} {d['message']}" for d in data["diagnostics"])
    assert r.exit_code == 0


def test_example_passes_strict_profile_as_text(run_qms, example_copy: Path) -> None:
    r = run_qms("--root", str(example_copy), "check", "--profile", "strict", "--no-cache", "--today", TODAY,
                "--fail-on", "info")
    assert r.exit_code == 0, r.stdout
    assert r.stdout.startswith("All clean")


def test_example_contents() -> None:
    procs = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((REPO / "processes").glob("*.yaml"))}
    administrative = {k: v for k, v in procs.items() if v.get("administrative")}
    assert len(administrative) >= 10
    for pid, proc in administrative.items():
        adm = proc["administrative"]
        assert adm["regime"], pid
        assert adm["time_limit"], pid
        assert adm.get("fee"), pid
        assert adm.get("dossier"), pid
        assert any(r.get("legal_basis") for r in proc["references"]), pid
    assert any(p["administrative"]["mechanism"] == "interconnected" for p in administrative.values())
    system_titles = {v["title"]["en"] for k, v in procs.items() if not v.get("administrative")}
    for needed in ("Control of documented information", "Internal audit", "Management review",
                   "Risks and opportunities", "Nonconforming outputs and corrective action",
                   "Monitoring, measurement and satisfaction"):
        assert needed in system_titles
    manifest = yaml.safe_load((REPO / "qms.yaml").read_text(encoding="utf-8"))
    codes = {f["code"]: f["legal_basis"] for f in manifest["forms"]}
    # the regime from 01/07/2025: TT 03/2025/TT-VPCP forms (Mẫu 07 is the tracking log); TT 01/2018 kept apart
    assert all("03/2025/TT-VPCP" in codes[f"BM-0{i}"] for i in range(1, 8))
    assert "Mẫu số 07" in codes["BM-07"]
    assert all("01/2018/TT-VPCP" in codes[f"BM-2018-0{i}"] for i in range(1, 7))
    # the verification status of the form numbers is an internal note, never issued text (issue 13)
    assert not any("UNVERIFIED" in basis or "chưa kiểm chứng" in basis.lower() for basis in codes.values())
    notes = [n for n in manifest["internal_notes"] if n["about"] == "forms"]
    assert notes and all("to confirm" in n["text"]["en"] for n in notes)
    # a ward under the two-tier local government: no district-level procedure, every one on the 2025 regime
    assert all(p["administrative"].get("level", "commune") != "district" for p in administrative.values())
    assert all(p["administrative"]["regime"] == "2025" for p in administrative.values())
    assert "waivers" not in manifest["check"]
    units_with_auditors = {p["unit"] for p in manifest["organisation"]["people"] if p.get("auditor")}
    assert len(units_with_auditors) >= 3


def test_example_files_start_with_the_schema_comment_and_are_nfc() -> None:
    for path in sorted((REPO / "processes").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=../schemas/process.schema.json\n"), path.name
        assert unicodedata.normalize("NFC", text) == text, path.name
    for name in ("qms.yaml", "records/register.yaml"):
        text = (REPO / name).read_text(encoding="utf-8")
        assert unicodedata.normalize("NFC", text) == text, name


def test_regime_rules_pass_on_both_samples_and_fire_on_a_stale_procedure(run_qms, example_copy: Path,
                                                                        tmp_path: Path) -> None:
    """Issue 15: the ward example (regime 2025) and the 2008 sample (regime 2018 to 30/06/2025, effective
    2017) pass QMS156/158/159; putting a 2026 example procedure back on the 2018 regime at district level
    fires QMS156, QMS158 and QMS159."""
    import shutil

    codes = "QMS156,QMS158,QMS159"
    ok = run_qms("--root", str(example_copy), "check", "--select", codes, "--no-cache", "--today", TODAY,
                 "--fail-on", "info")
    assert ok.exit_code == 0, ok.stdout
    sample = tmp_path / "iso2008"
    shutil.copytree(REPO / "examples" / "iso2008-city", sample)
    old = run_qms("--root", str(sample), "check", "--select", codes, "--no-cache", "--today", TODAY,
                  "--fail-on", "info")
    assert old.exit_code == 0, old.stdout
    proc = example_copy / "processes" / "QT-CT-01.yaml"
    text = proc.read_text(encoding="utf-8")
    assert '  level: commune\n' in text and '  regime: "2025"\n' in text
    proc.write_text(text.replace("  level: commune\n", "  level: district\n")
                    .replace('  regime: "2025"\n', '  regime: "2018-2024"\n'), encoding="utf-8")
    bad = run_qms("--root", str(example_copy), "check", "--select", codes, "--no-cache", "--today", TODAY,
                  "--format", "json")
    found = sorted(d["code"] for d in json.loads(bad.stdout)["diagnostics"])
    # QMS158 three times: effective after the regime ended, and its two TT 03/2025 forms (BM-01, BM-03)
    assert found == ["QMS156", "QMS158", "QMS158", "QMS158", "QMS159"], found
    assert bad.exit_code == 1
