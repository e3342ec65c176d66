"""The shortcuts `qms check` takes for speed give exactly the answers of the code they skip."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from qms.analysis.glossary import DisplayNames, printed_strings, text_list, texts
from qms.analysis.people import Directory
from qms.models.organisation import Manifest
from qms.models.process import Process
from qms.rules.documents import DRAFT_MARKERS, draft_marker, may_hold_draft_marker

REPO = Path(__file__).resolve().parents[2]


def _case_variants() -> dict[str, set[str]]:
    """Every character the case-insensitive marker search equates with each letter of the markers."""
    letters = sorted({c for m in DRAFT_MARKERS for c in m if c.isalpha()})
    any_letter = re.compile("[" + "".join(letters) + "]", re.IGNORECASE)
    variants: dict[str, set[str]] = {c: set() for c in letters}
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF or not any_letter.fullmatch(ch):
            continue
        for c in letters:
            if re.fullmatch(re.escape(c), ch, re.IGNORECASE):
                variants[c].add(ch)
    return variants


def test_the_quick_marker_test_never_misses_what_the_search_finds() -> None:
    """Every spelling of every marker the search accepts (each letter in any case form the regex engine
    equates with it, ı, ſ, İ and the Kelvin sign included) passes the quick test."""
    variants = _case_variants()
    assert "\u0131" in variants["i"] and "\u0130" in variants["i"]  # the characters str.lower() folds apart
    for marker in DRAFT_MARKERS:
        for pos, c in enumerate(marker):
            for v in variants.get(c, ()):
                text = f"see: {marker[:pos]}{v}{marker[pos + 1:]} here"
                assert draft_marker(text) is not None, text
                assert may_hold_draft_marker(text), text
        assert may_hold_draft_marker(marker.upper()) and may_hold_draft_marker(f"x\n{marker.title()}\ny")
    assert not may_hold_draft_marker("Tiếp nhận hồ sơ\nTrả kết quả")


def test_the_list_walk_is_the_walk_of_texts() -> None:
    """text_list and printed_strings give what texts() gives, on every document of the example."""
    for path in [REPO / "qms.yaml", *sorted((REPO / "processes").glob("*.yaml"))]:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for lang in (None, "vi", "en"):
            listed = text_list(raw, lang)
            assert listed and listed == list(texts(raw, lang))
            assert printed_strings(raw, lang) == [t for _p, t in listed]


def test_display_names_built_once_per_organisation_match_per_process() -> None:
    """DisplayNames.organisation(...).with_agencies(proc) gives each procedure the names it had when
    they were built per procedure: its agencies, then people, units and roles over them (an agency
    whose id is also a role's shows the role's title)."""
    manifest = Manifest.model_validate(yaml.safe_load((REPO / "qms.yaml").read_text(encoding="utf-8")))
    org = manifest.organisation
    role = org.roles[0]
    procs = [Process.model_validate(yaml.safe_load(p.read_text(encoding="utf-8")))
             for p in sorted((REPO / "processes").glob("*.yaml"))]
    with_agencies = [p for p in procs if p.administrative is not None and p.administrative.agencies]
    assert with_agencies, "the example has a procedure with participating agencies"
    clash = with_agencies[0].model_copy(deep=True)
    assert clash.administrative is not None
    clash.administrative.agencies[0].id = role.id
    for proc in [*procs, clash]:
        for lang in ("vi", "en"):
            expected: dict[str, str] = {}
            for a in proc.administrative.agencies if proc.administrative is not None else ():
                expected.setdefault(a.id, a.name.get(lang))
            first = Directory.of(manifest)
            for pid, person in first.people.items():
                expected[pid] = person.name
            for uid, unit in first.units.items():
                expected[uid] = unit.name.get(lang)
            for rid, r in first.roles.items():
                expected[rid] = r.title.get(lang)
            shared = DisplayNames.organisation(Directory.of(manifest), lang)
            assert list(shared.with_agencies(proc).names.items()) == list(expected.items())
            assert DisplayNames.of(manifest, lang, proc) == shared.with_agencies(proc)
            assert DisplayNames.of(None, lang, proc).names == {
                a.id: a.name.get(lang) for a in (proc.administrative.agencies if proc.administrative else ())}
    assert DisplayNames.organisation(Directory.of(manifest), "vi").with_agencies(clash).names[role.id] == role.title.vi


def test_plain_scalars_resolved_once_read_as_libyaml_reads_them() -> None:
    """The kept values of plain scalars give, document after document, what CSafeLoader gives, and the
    store of them stays bounded."""
    from qms.store import yaml_io

    text = ("a: 2026-01-05\nb: 2026-01-05 08:00:00+07:00\nc: yes\nd: 012\ne: 1_000\nf: .nan\ng: ~\n"
            "h: 0x1F\ni: 1.5e3\nj: 'yes'\nk: [no, off, 'on', 3, 3.0]\n")
    for _ in range(3):
        fast = yaml_io.load_text_fast(text)
        assert fast is not None
        expected = yaml.load(text, Loader=yaml.CSafeLoader)
        assert repr(fast.data) == repr(expected)
    assert yaml_io._PLAIN_MEMO["yes"] is True and yaml_io._PLAIN_MEMO["012"] == 10
    many = "\n".join(f"k{i}: v{i}" for i in range(yaml_io._PLAIN_MEMO_MAX // 2 + 10))
    for _ in range(3):
        assert yaml_io.load_text_fast(many) is not None
        assert len(yaml_io._PLAIN_MEMO) <= yaml_io._PLAIN_MEMO_MAX


def test_the_collector_is_off_only_during_start_up() -> None:
    """Importing `python -m qms`'s module leaves the collector on; a command other than check and kpi
    report runs with it on; the freeze at exit is registered by the console entry point only."""
    import atexit
    import gc
    import subprocess

    import pytest

    from qms.cli import main as cli_main

    r = subprocess.run([sys.executable, "-c", "import gc, qms.__main__; print(gc.isenabled())"],
                       capture_output=True, text=True, timeout=120)
    assert r.stdout.strip() == "True", r.stderr
    seen: list[bool] = []
    registered: list[object] = []
    original = cli_main.cli.get_command

    def spy(ctx: object, name: str) -> object:
        command = original(ctx, name)  # type: ignore[arg-type]
        seen.append(gc.isenabled())
        return command

    mp = pytest.MonkeyPatch()
    mp.setattr(cli_main.cli, "get_command", spy)
    mp.setattr(atexit, "register", lambda f, *a, **k: registered.append(f))
    mp.setattr(cli_main, "_freeze_at_exit", False)
    was_enabled = gc.isenabled()  # an earlier in-process `qms check` in this worker turned it off
    gc.enable()
    try:
        for argv in (["rules", "--format", "json"], ["--help"], ["rules"]):
            codes: list[object] = []
            try:
                cli_main.main(argv)
            except SystemExit as exc:
                codes.append(exc.code)
            assert codes in ([], [0], [None]), argv
            assert gc.isenabled(), argv
    finally:
        mp.undo()
        if not was_enabled:
            gc.disable()
    assert seen and all(seen)
    assert registered == []  # main(argv) is a call inside another program: its exit is not ours
    r = subprocess.run([sys.executable, "-c", "import atexit, gc, sys; from qms.cli.main import main; "
                        "seen = []; atexit.register = lambda f, *a: seen.append(f); sys.argv = ['qms', 'rules'];\n"
                        "try:\n    main()\nexcept SystemExit:\n    pass\nprint(seen == [gc.freeze])"],
                       capture_output=True, text=True, timeout=120)
    assert r.stdout.strip().splitlines()[-1] == "True", r.stderr

