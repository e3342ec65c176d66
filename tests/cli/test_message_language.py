"""Issue 13, Decisions: messages are in the top-level --lang, then QMS_LANG, then the organisation's
language inside a repository, then English. The organisation's language is read before anything is
validated, so a qms.yaml that cannot be read (or is hostile) falls back to English, and `qms check`
still reports it."""

from __future__ import annotations

from pathlib import Path

from example_repo import copy_example
from inprocess import run_in_process

CLEAN_VI = "Không có phát hiện nào"
CLEAN_EN = "All clean"


def test_messages_follow_the_organisation_inside_a_repository(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "vi-org")  # default_language: vi
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    no_env = {"QMS_LANG": None, "QMS_NO_CACHE": "1"}

    code, out, err = run_in_process(repo, ["check"], no_env)
    assert code == 0 and CLEAN_VI in out, out + err
    code, out, _err = run_in_process(repo / "processes", ["check"], no_env)  # found upward
    assert CLEAN_VI in out, out
    code, out, _err = run_in_process(outside, ["--root", str(repo), "check"], no_env)  # named with --root
    assert CLEAN_VI in out, out
    # --lang, then QMS_LANG, win over the organisation
    code, out, _err = run_in_process(repo, ["--lang", "en", "check"], no_env)
    assert CLEAN_EN in out, out
    code, out, _err = run_in_process(repo, ["check"], {**no_env, "QMS_LANG": "en"})
    assert CLEAN_EN in out, out
    code, out, _err = run_in_process(repo, ["--help"], no_env)
    assert "Cách dùng:" in out and "Usage:" not in out, out
    # outside a repository: English (and the error says so)
    code, out, err = run_in_process(outside, ["check"], no_env)
    assert code == 2 and "no qms.yaml found" in err, err

    # an English-writing organisation
    manifest = repo / "qms.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("default_language: vi", "default_language: en"), encoding="utf-8")
    code, out, _err = run_in_process(repo, ["check"], no_env)
    assert CLEAN_EN in out, out

    # a qms.yaml qms cannot read as the organisation's: English, no traceback, and check reports it
    levels = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 12))
    hostile = {
        "not utf-8": "organisation:\n  default_language: vi\n  name: \xff\n",
        "deep": "organisation: {default_language: vi, x: " + "[" * 5000 + "]" * 5000 + "}\n",
        "bad value": "organisation:\n  default_language: !!python/object:os.system vi\n",
        "a list": "- organisation\n",
        "alias bomb": "l0: &l0 [x]\n" + levels + "organisation: {default_language: vi, x: *l11}\n",
    }
    for what, body in hostile.items():
        manifest.write_bytes(body.encode("latin-1") if what == "not utf-8" else body.encode("utf-8"))
        code, out, err = run_in_process(repo, ["check"], no_env)
        assert code in (1, 2) and "Traceback" not in err, (what, code, out, err)
        if what != "alias bomb":  # the bomb's organisation does say vi; the others say nothing readable
            assert "lỗi" not in out + err and "error" in (out + err).lower(), (what, out, err)
