"""Verification of the signatures in a PDF with pyHanko.

For every signature the report gives the signer, the signing time, whether the signed bytes
are intact (digest and signature value), what changed after signing (coverage and pyHanko's
modification level of later incremental updates) and whether the signer's certificate chains
to a trusted root: the certificates of ``--trust`` files, or else the system trust store.

A PDF passes (:attr:`VerifyReport.ok`) when it has at least one signature and every signature
is intact, trusted, and was followed by nothing more than further signatures, form filling or
long-term-validation data (modification level at most ``FORM_FILLING``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import ssl
import warnings
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from qms.errors import QmsError
from qms.i18n import _
from qms.store.limits import current as current_limits
from qms.store.safe_open import read_bounded

ALLOWED_LEVELS = ("NONE", "LTA_UPDATES", "FORM_FILLING")


class UnreadablePdf(QmsError):
    """The input cannot be read as a PDF, or a trust file cannot be read (exit 2)."""


@dataclass(slots=True)
class SignatureReport:
    field: str
    signer: str
    signer_subject: str
    issuer: str
    signing_time: str | None
    subfilter: str
    pades: bool
    intact: bool
    valid: bool
    trusted: bool
    coverage: str
    modification_level: str | None
    modified_after_signing: bool
    docmdp_ok: bool | None
    problems: list[str] = dc_field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(slots=True)
class VerifyReport:
    path: str
    trust_source: str  # "file" or "system"
    signatures: list[SignatureReport]
    revisions: int

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "trust_source": self.trust_source, "revisions": self.revisions,
                "signatures": [{**asdict(s), "ok": s.ok} for s in self.signatures]}


def _certs_from(data: bytes) -> list[Any]:
    from pyhanko.keys import load_certs_from_pemder_data

    certs = list(load_certs_from_pemder_data(data))
    for cert in certs:
        cert.native  # noqa: B018 - force parsing, so that garbage fails here and not during validation
    return certs


def load_trust(paths: list[Path]) -> list[Any]:
    """asn1crypto certificates from PEM or DER files (a PEM file may hold several)."""
    certs: list[Any] = []
    for path in paths:
        data = read_bounded(Path(path), current_limits().credential_size, "credential_size")
        try:
            certs.extend(_certs_from(data))
        except Exception:  # asn1crypto raises ValueError, TypeError and others on garbage
            raise UnreadablePdf(_("{path} does not hold X.509 certificates (PEM or DER)").format(path=path)) from None
    if paths and not certs:
        raise UnreadablePdf(_("no certificates found in {paths}").format(paths=", ".join(map(str, paths))))
    return certs


def system_trust() -> list[Any]:
    """The system's CA certificates (the OpenSSL default bundle), best effort."""
    verify = ssl.get_default_verify_paths()
    for name in (verify.cafile, verify.openssl_cafile):
        if not name:
            continue
        try:
            certs = _certs_from(Path(name).read_bytes())
        except Exception:  # unreadable or odd bundle: try the next one
            continue
        if certs:
            return certs
    return []


def _name(name: Any) -> str:
    try:
        return str(name.human_friendly)
    except Exception:  # pragma: no cover
        return "?"


def _cn(cert: Any) -> str:
    try:
        return str(cert.subject.native.get("common_name") or _name(cert.subject))
    except Exception:  # pragma: no cover
        return "?"


def _one(sig: Any, vc: Any) -> SignatureReport:
    from pyhanko.sign.validation import validate_pdf_signature

    subfilter = str(sig.sig_object.get("/SubFilter", ""))
    cert = sig.signer_cert
    problems: list[str] = []
    try:
        status = validate_pdf_signature(sig, signer_validation_context=vc)
    except Exception as exc:  # pyHanko raises several types for malformed signatures
        return SignatureReport(
            field=str(sig.field_name), signer=_cn(cert), signer_subject=_name(cert.subject),
            issuer=_name(cert.issuer), signing_time=None, subfilter=subfilter,
            pades=subfilter == "/ETSI.CAdES.detached", intact=False, valid=False, trusted=False,
            coverage="UNCLEAR", modification_level=None, modified_after_signing=True, docmdp_ok=None,
            problems=[_("the signature cannot be validated: {reason}").format(reason=exc)])
    when = status.signer_reported_dt
    level = status.modification_level
    level_name = level.name if level is not None else None
    coverage = status.coverage.name if status.coverage is not None else "UNCLEAR"
    modified = coverage != "ENTIRE_FILE"
    if not status.intact:
        problems.append(_("the signed content was changed (digest mismatch)"))
    elif not status.valid:
        problems.append(_("the signature value is not valid"))
    if status.intact and status.valid and not status.trusted:
        if status.revoked:
            problems.append(_("the signer's certificate is revoked"))
        else:
            problems.append(_("the signer's certificate does not chain to a trusted root"))
    if coverage == "UNCLEAR" or coverage == "CONTIGUOUS_BLOCK_FROM_START":
        problems.append(_("the signature does not cover its whole revision"))
    elif level_name is not None and level_name not in ALLOWED_LEVELS:
        problems.append(_("the document was modified after signing ({level})").format(level=level_name))
    elif level_name is None and modified:
        problems.append(_("the document was modified after signing (not analysable)"))
    if status.docmdp_ok is False:
        problems.append(_("the changes after signing are not allowed by the certifying signature"))
    return SignatureReport(
        field=str(sig.field_name), signer=_cn(cert), signer_subject=_name(cert.subject), issuer=_name(cert.issuer),
        signing_time=when.astimezone(dt.UTC).isoformat() if when else None, subfilter=subfilter,
        pades=subfilter == "/ETSI.CAdES.detached", intact=bool(status.intact), valid=bool(status.valid),
        trusted=bool(status.trusted), coverage=coverage, modification_level=level_name,
        modified_after_signing=modified, docmdp_ok=status.docmdp_ok, problems=problems)


def quiet_pyhanko() -> None:
    """pyHanko logs validation failures with tracebacks; the report says it better (QMS_DEBUG=1 keeps them)."""
    if os.environ.get("QMS_DEBUG"):
        return
    for name in ("pyhanko", "pyhanko_certvalidator"):
        log = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
            log.addHandler(logging.NullHandler())
        log.propagate = False


def verify_pdf(path: Path | str, trust: list[Path] | None = None) -> VerifyReport:
    """Validate every signature of ``path``; raises :class:`UnreadablePdf` if it is not a readable PDF."""
    quiet_pyhanko()
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko_certvalidator import ValidationContext

    path = Path(path)
    roots = load_trust(list(trust)) if trust else system_trust()
    data = read_bounded(path, current_limits().pdf_size, "pdf_size")  # fstat first: a FIFO or a huge file is refused
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise UnreadablePdf(_("{path} is not a PDF file").format(path=path))
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise UnreadablePdf(_("{path} is encrypted; qms verifies unencrypted PDFs only").format(path=path))
        sigs = list(reader.embedded_regular_signatures)
        revisions = int(reader.xrefs.total_revisions)
    except UnreadablePdf:
        raise
    except Exception as exc:  # pyHanko's reader raises PdfReadError and assorted errors on damaged files
        raise UnreadablePdf(_("{path} is not a readable PDF ({reason})").format(path=path, reason=exc)) from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        vc = ValidationContext(trust_roots=roots, allow_fetching=False)
        reports = [_one(sig, vc) for sig in sigs]
    return VerifyReport(str(path), "file" if trust else "system", reports, revisions)


def to_json(report: VerifyReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


def to_text(report: VerifyReport) -> str:
    yes, no = _("yes"), _("no")
    lines = [_("{path}: {count} signature(s), {revisions} revision(s)").format(
        path=report.path, count=len(report.signatures), revisions=report.revisions)]
    if not report.signatures:
        lines.append("  " + _("the PDF is not signed"))
    for s in report.signatures:
        lines.append(f"- {_('field')}: {s.field}")
        lines.append(f"  {_('signer')}: {s.signer} ({s.signer_subject})")
        lines.append(f"  {_('issuer')}: {s.issuer}")
        lines.append(f"  {_('signing time')}: {s.signing_time or '-'}")
        lines.append(f"  {_('format')}: {'PAdES' if s.pades else 'PKCS#7'} ({s.subfilter})")
        lines.append(f"  {_('intact')}: {yes if s.intact and s.valid else no}")
        lines.append(f"  {_('modified after signing')}: {yes if s.modified_after_signing else no}"
                     f" ({_('coverage')} {s.coverage}, {_('modification level')} {s.modification_level or '-'})")
        trust_label = _("trust list file") if report.trust_source == "file" else _("system trust store")
        lines.append(f"  {_('trusted')}: {yes if s.trusted else no} ({trust_label})")
        for p in s.problems:
            lines.append(f"  ! {p}")
    lines.append(_("result: {verdict}").format(verdict=_("OK") if report.ok else _("NOT OK")))
    return "\n".join(lines) + "\n"
