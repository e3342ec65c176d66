"""Fuzz target: the nonconformity register's loaders (``qms.store.nc_store``).

The input is written as ``records/nonconformities/NC-2026-0001.yaml`` beside a minimal ``qms.yaml``;
it is then read as ``qms nc show`` (``read_record``, full validation), as ``qms nc list`` (``summaries``,
the fast listing path, without the cache) and, if it holds git conflict markers, as ``qms nc renumber``
reads each side (``split_conflict`` / ``parse_text``).

Contract: ``read_record`` returns a record or raises ``RecordError`` (a ``QmsError``); ``summaries``
never raises (an unreadable file is listed as bad); ``split_conflict`` raises only ``ValueError`` and
``parse_text`` only ``RecordError``.
"""

from __future__ import annotations

import contextlib

from _harness import DATA, expect, fresh_dir, instrumented, main

with instrumented():
    from qms.errors import QmsError
    from qms.models import nonconformity  # noqa: F401
    from qms.store import nc_store, workspace  # noqa: F401

MANIFEST = (DATA / "minimal-qms.yaml").read_bytes()
NAME = "NC-2026-0001.yaml"


def test_one_input(data: bytes) -> None:
    root = fresh_dir("repo")
    (root / "qms.yaml").write_bytes(MANIFEST)
    directory = nc_store.nc_dir(root)
    directory.mkdir(parents=True)
    path = directory / NAME
    path.write_bytes(data)
    try:
        nc_store.read_record(root, path)
    except QmsError as exc:
        expect(bool(exc.message), "a QmsError without a message")
    rows, bad = nc_store.summaries(root, use_cache=False)
    expect(len(rows) + len(bad) == 1, f"summaries lost the file: {rows} {bad}")
    if nc_store.has_conflict_markers(path):
        nc_store.conflict_marker_line(path)
        try:
            ours, theirs = nc_store.split_conflict(data.decode("utf-8", errors="replace"))
        except ValueError:
            return
        for side in (ours, theirs):
            with contextlib.suppress(QmsError):
                nc_store.parse_text(side, NAME)


if __name__ == "__main__":
    main(test_one_input)
