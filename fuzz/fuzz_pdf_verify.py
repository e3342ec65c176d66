"""Fuzz target: PDF signature verification (``qms.signing.verify.verify_pdf``, pyHanko).

The input is written as ``in.pdf`` and verified against the seed corpus's throw-away CA
(``fuzz/data/fuzz-ca.pem``), then reported as text and JSON, as ``qms verify`` does.

Contract: a report (OK or NOT OK) or ``UnreadablePdf`` / ``QmsError``; never another exception.
"""

from __future__ import annotations

from _harness import DATA, expect, fresh_dir, instrumented, main

with instrumented():
    from qms.errors import QmsError
    from qms.signing import verify

TRUST = [DATA / "fuzz-ca.pem"]


def test_one_input(data: bytes) -> None:
    path = fresh_dir("pdf") / "in.pdf"
    path.write_bytes(data)
    try:
        report = verify.verify_pdf(path, TRUST)
    except QmsError as exc:
        expect(bool(exc.message), "a QmsError without a message")
        return
    verify.to_text(report)
    verify.to_json(report)
    for sig in report.signatures:
        # a signature whose bytes do not check out can never be reported OK
        expect(not (sig.ok and not (sig.intact and sig.valid)), f"signature {sig.field} is OK but not intact")


if __name__ == "__main__":
    main(test_one_input)
