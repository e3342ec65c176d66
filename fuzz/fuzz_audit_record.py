"""Fuzz target: the audit loaders (``qms.store.audit_store``): an audit file or the audit programme.

The first byte chooses the file: even, ``audits/AUD-2026-01.yaml`` read by ``load_audit`` and
``list_audits``; odd, ``audits/programme-2026.yaml`` read by ``load_programme``. The rest is its content.

Contract: a model, or ``QmsError`` (with a message); never another exception.
"""

from __future__ import annotations

from _harness import DATA, expect, fresh_dir, instrumented, main

with instrumented():
    from qms.errors import QmsError
    from qms.models import audit  # noqa: F401
    from qms.store import audit_store

MANIFEST = (DATA / "minimal-qms.yaml").read_bytes()


def test_one_input(data: bytes) -> None:
    if not data:
        return
    root = fresh_dir("repo")
    (root / "qms.yaml").write_bytes(MANIFEST)
    (root / "audits").mkdir()
    programme = data[0] % 2 == 1
    target = audit_store.programme_path(root, 2026) if programme else audit_store.audit_path(root, "AUD-2026-01")
    target.write_bytes(data[1:])
    try:
        if programme:
            audit_store.load_programme(root, 2026)
        else:
            audit_store.load_audit(root, "AUD-2026-01")
            audit_store.list_audits(root)
    except QmsError as exc:
        expect(bool(exc.message), "a QmsError without a message")


if __name__ == "__main__":
    main(test_one_input)
