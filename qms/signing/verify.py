"""Verification of the signatures in a PDF: pyHanko's verdict and qms's stricter policy.

For every signature the report gives the signer, the signing time, whether the signature is
cryptographically valid (digest and signature value), which bytes it covers and whether that is
the whole file, what changed after signing (named kinds, see :mod:`qms.signing.changes`) and
whether the signer's certificate chains to a trusted root: the certificates of ``--trust``
files, or else the system trust store.

The policy (``docs/doc-control.md``, "Verification policy"): a PDF passes
(:attr:`VerifyReport.ok`) when it has at least one signature and every signature is valid,
trusted, well formed, and was followed by nothing but later signatures, document timestamps or
DSS data, and form filling. Anything else after signing (metadata, pages, annotations, bytes
appended after the last ``%%EOF``, anything pyHanko's difference analysis rejects) is NOT OK,
and so is a malformed signature value (a non-hex character, a damaged or truncated CMS
structure, data hidden after the value inside ``/Contents``). Input that cannot be read as a
PDF at all (not a PDF, encrypted, truncated before its signatures can be read) raises
:class:`UnreadablePdf` (exit 2).

"Covers the whole file" follows Poppler's ``pdfsig`` ("Total document signed"): the byte range
starts at 0 and ends at the end of the file, and the gap between its two parts is exactly the
``/Contents`` hex string: hex digits only, a DER ``SEQUENCE`` whose declared length is followed
by zero padding only. The tests check every verdict against ``pdfsig``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import re
import warnings
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from qms.errors import QmsError
from qms.i18n import _
from qms.output.safe import one_line
from qms.signing import changes
from qms.store.limits import current as current_limits
from qms.store.safe_open import read_bounded

#: pyHanko modification levels that the policy accepts (qms adds its own checks on top).
ALLOWED_LEVELS = ("NONE", "LTA_UPDATES", "FORM_FILLING")

_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d{1,15})\s+(\d{1,15})\s+(\d{1,15})\s+(\d{1,15})\s*\]")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_SPACE = frozenset(b" \t\r\n\f\x00")
_EOF_LINE = re.compile(rb"%%EOF[ \t]*(?:\r\n|\r|\n)?")
#: Earlier ends of file tried when the whole file cannot be read (junk after ``%%EOF``).
_PREFIX_TRIES = 4
#: Signature formats pyHanko validates (PAdES and the older detached PKCS#7 ones).
_SUBFILTERS = frozenset({"/ETSI.CAdES.detached", "/adbe.pkcs7.detached", "/PBAD.PAdES"})


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
    #: ``[[start, end], [start, end]]``: the signed bytes (end exclusive, as pdfsig prints them).
    byte_range: list[list[int]] = dc_field(default_factory=list)
    #: The byte range is the whole file but for a well-formed ``/Contents`` (pdfsig's "Total document signed").
    covers_whole_file: bool = False
    #: Named kinds of change after signing (:mod:`qms.signing.changes`), in display order.
    changes_after_signing: list[str] = dc_field(default_factory=list)
    #: The signature value could not be parsed (damaged hex string or CMS structure).
    malformed: bool = False

    @property
    def signature_valid(self) -> bool:
        """The cryptographic verdict: the digest matches and the signature value verifies."""
        return self.intact and self.valid and not self.malformed

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(slots=True)
class VerifyReport:
    path: str
    trust_source: str  # "file" or "system"
    signatures: list[SignatureReport]
    revisions: int
    file_size: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "trust_source": self.trust_source, "revisions": self.revisions,
                "file_size": self.file_size,
                "signatures": [{**asdict(s), "signature_valid": s.signature_valid, "ok": s.ok}
                               for s in self.signatures]}


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
    from qms.store.trust import system_ca_bundles

    for data in system_ca_bundles():
        try:
            certs = _certs_from(data)
        except Exception:  # an odd bundle: try the next one
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


def contents_well_formed(data: bytes, byte_range: list[int]) -> bool:
    """Poppler's check of the gap in a byte range: ``<`` hex DER, then only ``0`` padding, ``>``."""
    if len(byte_range) != 4:
        return False
    start, end = byte_range[0] + byte_range[1], byte_range[2]
    if start < 0 or end < start + 6 or end > len(data):
        return False
    if data[start : start + 1] != b"<" or data[end - 1 : end] != b">":
        return False
    digits = data[start + 1 : end - 1]
    if not digits.startswith(b"30") or any(c not in _HEX for c in digits):
        return False
    size = len(digits)
    if digits[2:4] == b"80":  # indefinite length: ends with at least two zero bytes
        padding = 0
        while size >= 2 and digits[size - 2 : size] == b"00":
            padding += 1
            size -= 2
        return padding >= 2 and size % 2 == 0
    if digits[2:3] == b"8":
        count = digits[3] - ord("0")
        if 0 < count <= 4:
            length = int(digits[4 : 4 + 2 * count], 16)
            used = 2 * (length + count) + 4
            return length > 0 and used <= size and all(c == ord("0") for c in digits[used:])
    return True


def _raw_gaps(data: bytes) -> list[tuple[int, int]]:
    """``(start, end)`` of the ``/Contents`` gap of every ``/ByteRange`` found in the raw bytes."""
    gaps = []
    for match in _BYTE_RANGE.finditer(data):
        a, b, c, _d = (int(g) for g in match.groups())
        if a + b < c <= len(data):
            gaps.append((a + b, c))
    return gaps


def _sanitise(data: bytes) -> tuple[bytes, dict[tuple[int, int], int]]:
    """Hex strings of signature values with a foreign byte, replaced by zeros so that the rest of
    the file can be read; returns the readable bytes and ``{gap: offset of the first bad byte}``."""
    bad: dict[tuple[int, int], int] = {}
    out = bytearray()
    pos = 0
    for start, end in _raw_gaps(data):
        if start < pos or data[start : start + 1] != b"<" or data[end - 1 : end] != b">":
            continue
        inner = data[start + 1 : end - 1]
        foreign = next((i for i, c in enumerate(inner) if c not in _HEX and c not in _SPACE), None)
        if foreign is None:
            continue
        bad[(start, end)] = start + 1 + foreign
        out += data[pos : start + 1] + b"0" * len(inner)
        pos = end - 1
    if not bad:
        return data, bad
    out += data[pos:]
    return bytes(out), bad


def _reason(exc: BaseException) -> str:
    """One printable line from a parser's exception text (it may quote bytes of the hostile file)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= 200 else text[:199] + "…"


def _byte_range(sig_obj: Any) -> list[int]:
    try:
        values = [int(v) for v in sig_obj.get_object()["/ByteRange"]]
    except Exception:  # missing or not numbers: reported as a malformed signature
        return []
    return values if len(values) == 4 else []


def _pairs(byte_range: list[int]) -> list[list[int]]:
    if len(byte_range) != 4:
        return []
    a, b, c, d = byte_range
    return [[a, a + b], [c, c + d]]


@dataclass(slots=True)
class _Context:
    reader: Any
    data: bytes
    vc: Any
    bad_gaps: dict[tuple[int, int], int]
    added_in: dict[int, str]  # revision -> changes.LATER_SIGNATURE / changes.DSS_TIMESTAMP
    trailing: int
    per_revision: dict[int, frozenset[str]] = dc_field(default_factory=dict)  # shared by all signatures


def _revision_kinds(ctx: _Context, rev: int) -> frozenset[str]:
    """What revision ``rev`` changed relative to ``rev - 1`` (computed once per file)."""
    if rev not in ctx.per_revision:
        try:
            kinds = set(changes.revision_changes(ctx.reader, rev - 1, rev))
        except Exception:  # a structure the comparison cannot follow: never "unchanged"
            kinds = {changes.OTHER}
        if rev in ctx.added_in:
            kinds.add(ctx.added_in[rev])
        ctx.per_revision[rev] = frozenset(kinds)
    return ctx.per_revision[rev]


def _changes_after(ctx: _Context, signed_revision: int) -> set[str]:
    kinds: set[str] = set()
    total = int(ctx.reader.xrefs.total_revisions)
    for rev in range(signed_revision + 1, total):
        kinds |= _revision_kinds(ctx, rev)
    if ctx.trailing:
        kinds.add(changes.APPENDED_BYTES)
    return kinds


def _malformed(ctx: _Context, name: str, byte_range: list[int], reason: str, subfilter: str = "",
               unsupported: bool = False) -> SignatureReport:
    return SignatureReport(
        field=name, signer="?", signer_subject="?", issuer="?", signing_time=None, subfilter=subfilter,
        pades=subfilter == "/ETSI.CAdES.detached", intact=False, valid=False, trusted=False, coverage="UNCLEAR",
        modification_level=None, modified_after_signing=False, docmdp_ok=None,
        problems=[reason if unsupported else _("the signature value is malformed: {reason}").format(reason=reason)],
        byte_range=_pairs(byte_range), covers_whole_file=contents_well_formed(ctx.data, byte_range)
        and byte_range[0] == 0 and byte_range[2] + byte_range[3] == len(ctx.data), malformed=True)


def _one(ctx: _Context, name: str, sig_obj: Any, sig_field: Any) -> SignatureReport:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    data = ctx.data
    byte_range = _byte_range(sig_obj)
    try:
        subfilter = str(sig_obj.get_object().get("/SubFilter", ""))
    except Exception:  # pragma: no cover - the dictionary was read a moment ago
        subfilter = ""
    if not byte_range:
        return _malformed(ctx, name, byte_range, _("no usable /ByteRange"), subfilter)
    if subfilter not in _SUBFILTERS:
        return _malformed(ctx, name, byte_range, _("unsupported signature format {subfilter}").format(
            subfilter=_reason(ValueError(subfilter or "-"))), subfilter, unsupported=True)
    gap = (byte_range[0] + byte_range[1], byte_range[2])
    if gap in ctx.bad_gaps:
        return _malformed(ctx, name, byte_range, _("/Contents holds a byte that is not a hex digit at offset {offset}")
                          .format(offset=ctx.bad_gaps[gap]), subfilter)
    try:
        sig = EmbeddedPdfSignature(ctx.reader, sig_field, name)
        cert = sig.signer_cert
    except Exception as exc:  # asn1crypto and pyHanko raise many types for a damaged CMS structure
        return _malformed(ctx, name, byte_range, _reason(exc), subfilter)
    problems: list[str] = []
    try:
        status = validate_pdf_signature(sig, signer_validation_context=ctx.vc)
    except Exception:  # the difference analysis failed on a hostile structure: judge the signature alone
        try:
            status = validate_pdf_signature(sig, signer_validation_context=ctx.vc, skip_diff=True)
        except Exception as exc:
            return _malformed(ctx, name, byte_range, _reason(exc), subfilter)
        problems.append(_("the changes after signing cannot be analysed"))
    when = status.signer_reported_dt
    level = status.modification_level
    level_name = level.name if level is not None else None
    coverage = status.coverage.name if status.coverage is not None else "UNCLEAR"
    whole = (byte_range[0] == 0 and byte_range[2] + byte_range[3] == len(data)
             and contents_well_formed(data, byte_range))
    signed_spans = ((byte_range[0], byte_range[0] + byte_range[1]), (byte_range[2], byte_range[2] + byte_range[3]))
    covered_bad = [g for g in ctx.bad_gaps if g != gap and any(a <= g[0] and g[1] <= b for a, b in signed_spans)]
    kinds = _changes_after(ctx, int(sig.signed_revision))
    if level_name is not None and level_name not in ALLOWED_LEVELS and not (kinds - changes.ALLOWED_KINDS):
        kinds.add(changes.OTHER)
    if problems:  # the analysis failed
        kinds.add(changes.OTHER)
    intact, valid = bool(status.intact), bool(status.valid)
    if covered_bad:
        intact = False
        problems.append(_("its signed bytes include a malformed signature value, so it cannot be checked"))
    elif not intact:
        problems.append(_("the signed content was changed (digest mismatch)"))
    elif not valid:
        problems.append(_("the signature value is not valid"))
    end = byte_range[2] + byte_range[3]
    if end > len(data):
        problems.append(_("the file is truncated: the signature covers bytes up to {end} but the file has {size}")
                        .format(end=end, size=len(data)))
    elif not contents_well_formed(data, byte_range):
        problems.append(_("/Contents holds data other than the signature value and its zero padding"))
    if intact and valid and not status.trusted:
        if status.revoked:
            problems.append(_("the signer's certificate is revoked"))
        elif not _allows_non_repudiation(cert):
            # pyHanko's key-usage policy (non-repudiation) fails the path, whatever the trust roots
            problems.append(_("the signer's certificate does not allow non-repudiation (content commitment), "
                              "which a document signature needs"))
        else:
            problems.append(_("the signer's certificate does not chain to a trusted root"))
    if coverage in ("UNCLEAR", "CONTIGUOUS_BLOCK_FROM_START"):
        problems.append(_("the signature does not cover its whole revision"))
    forbidden = changes.ordered(kinds - changes.ALLOWED_KINDS)
    if forbidden:
        problems.append(_("the document was changed after signing: {changes}").format(
            changes=", ".join(changes.kind_label(k) for k in forbidden)))
    if status.docmdp_ok is False:
        problems.append(_("the changes after signing are not allowed by the certifying signature"))
    return SignatureReport(
        field=name, signer=_cn(cert), signer_subject=_name(cert.subject), issuer=_name(cert.issuer),
        signing_time=when.astimezone(dt.UTC).isoformat() if when else None, subfilter=subfilter,
        pades=subfilter == "/ETSI.CAdES.detached", intact=intact, valid=valid,
        trusted=bool(status.trusted), coverage=coverage, modification_level=level_name,
        modified_after_signing=bool(kinds), docmdp_ok=status.docmdp_ok, problems=problems,
        byte_range=_pairs(byte_range), covers_whole_file=whole, changes_after_signing=changes.ordered(kinds))


def quiet_pyhanko() -> None:
    """pyHanko logs validation failures with tracebacks; the report says it better (QMS_DEBUG=1 keeps them)."""
    if os.environ.get("QMS_DEBUG"):
        return
    # importing pyHanko's signers warns that cryptography will drop DSA; not the user's concern
    warnings.filterwarnings("ignore", message=".*DSA.*", module=r"pyhanko\..*")
    for name in ("pyhanko", "pyhanko_certvalidator"):
        log = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
            log.addHandler(logging.NullHandler())
        log.propagate = False


def _truncation_hint(data: bytes) -> str:
    ends = [c + d for a, b, c, d in (tuple(int(g) for g in m.groups()) for m in _BYTE_RANGE.finditer(data))]
    if ends and max(ends) > len(data):
        return _("the file is truncated: a signature covers bytes up to {end} but the file has {size}").format(
            end=max(ends), size=len(data))
    return _("the file may be truncated or damaged; ask for a fresh copy")


def _open(readable: bytes, path: Path) -> tuple[Any, list[Any], int]:
    """pyHanko's reader, the filled signature fields and the count of bytes after the last revision.

    Junk appended after ``%%EOF`` that itself contains ``%%EOF`` or ``startxref`` stops pyHanko
    from finding the last revision. Then the file is read up to an earlier end of file (the last
    few are tried) that still holds signatures, and everything after it counts as appended bytes.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    ends = [m.end() for m in _EOF_LINE.finditer(readable) if m.end() < len(readable)]
    first_error: Exception | None = None
    for end in [len(readable), *reversed(ends[-_PREFIX_TRIES:])]:
        prefix = readable[:end]
        try:
            reader = PdfFileReader(io.BytesIO(prefix), strict=False)
            if reader.encrypted:
                raise UnreadablePdf(_("{path} is encrypted; qms verifies unencrypted PDFs only").format(path=path))
            fields = list(enumerate_sig_fields(reader, filled_status=True))
            trailing = changes.trailing_bytes(reader, prefix) + len(readable) - end
        except UnreadablePdf:
            raise
        except Exception as exc:  # pyHanko's reader raises PdfReadError and assorted errors on damaged files
            first_error = first_error or exc
            continue
        if end == len(readable) or fields:
            return reader, fields, trailing
    reason = _reason(first_error) if first_error is not None else "-"
    raise UnreadablePdf(_("{path} is not a readable PDF ({reason})").format(path=path, reason=reason),
                        _truncation_hint(readable))


def _allows_non_repudiation(cert: Any) -> bool:
    try:
        usage = cert.key_usage_value
        return usage is not None and "non_repudiation" in usage.native
    except Exception:  # a malformed extension: let the chain message stand
        return True


def verify_pdf(path: Path | str, trust: list[Path] | None = None) -> VerifyReport:
    """Validate every signature of ``path``; raises :class:`UnreadablePdf` if it is not a readable PDF."""
    quiet_pyhanko()
    from pyhanko_certvalidator import ValidationContext

    path = Path(path)
    roots = load_trust(list(trust)) if trust else system_trust()
    data = read_bounded(path, current_limits().pdf_size, "pdf_size")  # fstat first: a FIFO or a huge file is refused
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise UnreadablePdf(_("{path} is not a PDF file").format(path=path))
    readable, bad_gaps = _sanitise(data)
    reader, fields, trailing = _open(readable, path)
    revisions = int(reader.xrefs.total_revisions)
    added_in: dict[int, str] = {}
    signatures: list[tuple[str, Any, Any]] = []
    for name, sig_obj, sig_field in fields:
        try:
            obj = sig_obj.get_object()
            kind = changes.DSS_TIMESTAMP if str(obj.get("/Type", "")) == "/DocTimeStamp" else changes.LATER_SIGNATURE
            added_in.setdefault(int(reader.xrefs.get_last_change(sig_field.get_object().raw_get("/V").reference)),
                                kind)
        except Exception:  # reported below, when the signature itself is read
            kind = changes.LATER_SIGNATURE
        if kind == changes.LATER_SIGNATURE:  # document timestamps are not signatures of a person
            signatures.append((str(name), sig_obj, sig_field))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        vc = ValidationContext(trust_roots=roots, allow_fetching=False)
        ctx = _Context(reader, data, vc, bad_gaps, added_in, trailing)
        reports = [_one(ctx, name, sig_obj, sig_field) for name, sig_obj, sig_field in signatures]
    return VerifyReport(str(path), "file" if trust else "system", reports, revisions, len(data))


def to_json(report: VerifyReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


def _ranges_text(s: SignatureReport, size: int) -> str:
    if not s.byte_range:
        return "-"
    spans = ", ".join(f"{a}–{b}" for a, b in s.byte_range)
    return _("bytes {spans} of {size}").format(spans=spans, size=size)


def to_text(report: VerifyReport) -> str:
    yes, no = _("yes"), _("no")
    label = {"field": _("field"), "signer": _("signer"), "issuer": _("issuer"), "time": _("signing time"),
             "format": _("format"), "valid": _("signature valid"), "whole": _("covers whole file"),
             "changes": _("changes after signing"), "level": _("pyHanko modification level"),
             "trusted": _("trusted")}
    trust_label = _("trust list file") if report.trust_source == "file" else _("system trust store")
    lines = [_("{path}: {count} signature(s), {revisions} revision(s)").format(
        path=report.path, count=len(report.signatures), revisions=report.revisions)]
    if not report.signatures:
        lines.append("  " + _("the PDF is not signed"))
    for s in report.signatures:
        if s.changes_after_signing:
            named = ", ".join(
                changes.kind_label(k) + ("" if k in changes.ALLOWED_KINDS else " (" + _("not allowed") + ")")
                for k in s.changes_after_signing)
        else:
            named = _("none")
        lines += [
            f"- {label['field']}: {one_line(s.field)}",
            f"  {label['signer']}: {one_line(s.signer)} ({one_line(s.signer_subject)})",
            f"  {label['issuer']}: {one_line(s.issuer)}",
            f"  {label['time']}: {s.signing_time or '-'}",
            f"  {label['format']}: {'PAdES' if s.pades else 'PKCS#7'} ({one_line(s.subfilter or '-')})",
            f"  {label['valid']}: {yes if s.signature_valid else no}",
            f"  {label['whole']}: {yes if s.covers_whole_file else no} ({_ranges_text(s, report.file_size)})",
            f"  {label['changes']}: {named} ({label['level']} {s.modification_level or '-'})",
            f"  {label['trusted']}: {yes if s.trusted else no} ({trust_label})",
        ]
        lines += [f"  ! {one_line(p)}" for p in s.problems]
    lines.append(_("result: {verdict}").format(verdict=_("OK") if report.ok else _("NOT OK")))
    return "\n".join(lines) + "\n"
