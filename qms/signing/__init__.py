"""PAdES signing and verification of rendered documents (pyHanko).

``sign_pdf(in_path, out_path, p12_path, password, field=None)`` is the entry point for other
modules (``qms render ... --sign``); ``verify_pdf(path, trust=None)`` reports on a signed PDF.
"""

from qms.signing.sign import DEFAULT_BOX, SigningError, SignResult, sign_pdf
from qms.signing.verify import SignatureReport, UnreadablePdf, VerifyReport, verify_pdf

__all__ = [
    "DEFAULT_BOX",
    "SignResult",
    "SignatureReport",
    "SigningError",
    "UnreadablePdf",
    "VerifyReport",
    "sign_pdf",
    "verify_pdf",
]
