"""Caches are keyed by the build of qms, not only its version number: after an upgrade that kept the
version (or a source checkout that moved on), a cached check result or PDF is never replayed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qms.store import cache


def test_stamp_follows_every_file_but_bytecode(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    code = tmp_path / "rules" / "legal.py"
    code.write_text("A = 1\n", encoding="utf-8")
    (tmp_path / "vi.po").write_text('msgid "x"\n', encoding="utf-8")
    first = cache._stamp_of(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "legal.cpython-311.pyc").write_bytes(b"\0")
    assert cache._stamp_of(tmp_path) == first  # bytecode written by Python is not a new build
    code.write_text("A = 2\n", encoding="utf-8")
    st = code.stat()
    os.utime(code, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    second = cache._stamp_of(tmp_path)
    assert second != first
    (tmp_path / "vi.po").write_text('msgid "xy"\n', encoding="utf-8")  # a catalogue changes the messages
    assert cache._stamp_of(tmp_path) != second


def test_check_and_render_keys_change_with_the_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from qms.engine import CheckOptions, cache_key
    from qms.render.cache import render_key

    (tmp_path / "qms.yaml").write_text("organisation: {name: x}\n", encoding="utf-8")
    options = CheckOptions()
    keys = []
    for build in ("build-a", "build-b"):
        monkeypatch.setattr(cache, "_STAMP", [build])
        keys.append((cache_key(tmp_path, options), render_key("<p>x</p>", ["vi"])))
    assert keys[0][0] != keys[1][0] and keys[0][1] != keys[1][1]
    monkeypatch.setattr(cache, "_STAMP", [])
    assert cache.code_stamp() == cache.code_stamp() != "build-a"
