"""PAdES signatures with pyHanko.

A signature is added as an *incremental update*: the bytes of the input PDF are kept
unchanged at the start of the output and the signature, its field and its appearance are
appended. Everything in the original file (PDF/A-3b metadata, output intent, embedded YAML
attachments, fonts) therefore survives signing; the XMP metadata and Info dictionary are not
rewritten either (pyHanko would otherwise replace foreign XMP and lose the PDF/A identification).

The signature is PAdES baseline B-B (``/SubFilter /ETSI.CAdES.detached``, SHA-256, the
signing-certificate-v2 attribute, no signing-time attribute inside the CMS; the signing time
is the ``/M`` entry).

Visible signatures (``field="approver"``): if the PDF already has an empty signature field of
that name (the renderer can place one in the approval block), the signature fills it.
Otherwise a new box is drawn at :data:`DEFAULT_BOX` on page 1, the bottom-right corner of an
A4 page, where the approval block (Người phê duyệt) ends in the house layout. The box text uses
the PDF standard font Courier, so names are written without diacritics there; the signer's
full name stays in the certificate. Archive copies that must stay strictly PDF/A (where every
font must be embedded) should be signed invisibly (no ``field``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qms.errors import QmsError
from qms.i18n import _
from qms.store.atomic import atomic_write_bytes
from qms.store.limits import current as current_limits
from qms.store.safe_open import read_bounded

#: The visible signature box on page 1 when the PDF has no field of that name:
#: (x1, y1, x2, y2) in PDF points from the bottom-left corner (A4 is 595 x 842).
DEFAULT_BOX: tuple[int, int, int, int] = (335, 40, 560, 110)
#: Field-name prefix of invisible signatures.
INVISIBLE_PREFIX = "Signature"


class SigningError(QmsError):
    """A PDF cannot be signed: unreadable input, bad PKCS#12 file or password, unsuitable certificate."""


@dataclass(frozen=True, slots=True)
class SignResult:
    out_path: Path
    field: str
    visible: bool
    signer: str  # subject common name of the signing certificate
    signed_at: dt.datetime


def ascii_fold(text: str) -> str:
    """``Nguyễn Văn Đức`` -> ``Nguyen Van Duc``: for the standard-font text of a visible box."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "replace").decode()


def _password_bytes(password: str | bytes | None) -> bytes | None:
    if password is None:
        return None
    if isinstance(password, bytes):
        return password
    return password.encode("utf-8")


def _refuse_non_pkcs12(p12_path: Path, data: bytes) -> None:
    """A file that cannot be PKCS#12 at all (PKCS#12 is a DER SEQUENCE) is named as such, so that the
    message does not blame the password."""
    head = data.lstrip()[:64]
    if head.startswith(b"-----BEGIN"):
        raise SigningError(_("{path} is not a PKCS#12 file: it is a PEM file ({kind})").format(
            path=p12_path, kind=head.split(b"\n", 1)[0].decode("ascii", "replace").strip("- \r")),
            _("export the certificate together with its private key as .p12/.pfx, e.g. openssl pkcs12 -export "
              "-inkey KEY.pem -in CERT.pem -out me.p12"))
    if not data.startswith(b"\x30"):
        raise SigningError(_("{path} is not a PKCS#12 file").format(path=p12_path),
                           _("export the certificate together with its private key as .p12/.pfx"))


def load_signer(p12_path: Path, password: str | bytes | None) -> Any:
    """A pyHanko ``SimpleSigner`` from a PKCS#12 (.p12/.pfx) file."""
    from qms.signing.verify import quiet_pyhanko

    quiet_pyhanko()  # before the pyHanko imports: they warn about DSA
    from pyhanko.sign import signers

    data = read_bounded(Path(p12_path), current_limits().credential_size, "credential_size")
    _refuse_non_pkcs12(p12_path, data)
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=_password_bytes(password))
    except (ValueError, TypeError):
        hint = (_("check the password (--password-file)") if password is not None
                else _("the file may need a password: pass --password-file FILE"))
        raise SigningError(_("{path} is not a PKCS#12 file or the password is wrong").format(path=p12_path),
                           hint) from None
    except AttributeError:  # pyHanko meets a PKCS#12 file that holds a certificate but no private key
        raise SigningError(_("{path} holds no private key and certificate").format(path=p12_path),
                           _("export the certificate together with its private key (.p12/.pfx)")) from None
    cert = signer.signing_cert
    if cert is None or signer.signing_key is None:
        raise SigningError(_("{path} holds no private key and certificate").format(path=p12_path))
    usage = cert.key_usage_value
    if usage is None or "non_repudiation" not in usage.native:
        raise SigningError(
            _("the certificate in {path} does not allow non-repudiation (content commitment)").format(path=p12_path),
            _("use a document-signing certificate; verifiers reject signatures made with this one"))
    now = dt.datetime.now(dt.UTC)
    if now < cert.not_valid_before:
        raise SigningError(_("the certificate in {path} is not valid yet (valid {start} to {end})").format(
            path=p12_path, start=cert.not_valid_before.date().isoformat(),
            end=cert.not_valid_after.date().isoformat()))
    if not (cert.not_valid_before <= now <= cert.not_valid_after):
        raise SigningError(_("the certificate in {path} is not valid now (valid {start} to {end})").format(
            path=p12_path, start=cert.not_valid_before.date().isoformat(),
            end=cert.not_valid_after.date().isoformat()))
    return signer


def _common_name(cert: Any) -> str:
    try:
        return str(cert.subject.native.get("common_name") or cert.subject.human_friendly)
    except Exception:  # pragma: no cover - malformed names
        return "?"


def _open_writer(data: bytes, in_path: Path) -> Any:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError

    class MetadataPreservingWriter(IncrementalPdfFileWriter):
        """Leaves the document's XMP metadata and Info dictionary exactly as they are.

        pyHanko normally refreshes both (producer, modification date) and, for XMP it did
        not write itself, replaces the whole stream, which drops the ``pdfaid`` PDF/A
        identification. A signature does not need either update.
        """

        def _update_meta(self) -> None:
            return None

    try:
        writer = MetadataPreservingWriter(io.BytesIO(data), strict=False)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise SigningError(_("{path} is not a readable PDF ({reason})").format(path=in_path, reason=exc)) from None
    if writer.prev.encrypted:
        raise SigningError(_("{path} is encrypted; qms signs unencrypted PDFs only").format(path=in_path))
    return writer


def _existing_fields(writer: Any) -> dict[str, bool]:
    """Signature field name -> already signed."""
    from pyhanko.sign.fields import enumerate_sig_fields

    out: dict[str, bool] = {}
    with contextlib.suppress(Exception):
        for name, value, _ref in enumerate_sig_fields(writer.prev):
            out[str(name)] = value is not None
    return out


def sign_pdf(in_path: Path | str, out_path: Path | str, p12_path: Path | str, password: str | bytes | None,
             field: str | None = None) -> SignResult:
    """Sign ``in_path`` into ``out_path`` (PAdES B-B, incremental update); ``in_path`` may equal ``out_path``.

    ``field`` names a visible signature field (an existing empty field of that name, or a new box
    at :data:`DEFAULT_BOX` on page 1); ``None`` makes an invisible signature. Raises
    :class:`SigningError` for unusable input.
    """
    from qms.signing.verify import quiet_pyhanko

    quiet_pyhanko()  # before the pyHanko imports: they warn about DSA
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError as HankoSigningError
    from pyhanko.stamp import TextStampStyle

    in_path, out_path, p12_path = Path(in_path), Path(out_path), Path(p12_path)
    signer = load_signer(p12_path, password)
    data = read_bounded(in_path, current_limits().pdf_size, "pdf_size")  # fstat first: a FIFO or a huge file is refused
    writer = _open_writer(data, in_path)
    existing = _existing_fields(writer)
    visible = field is not None
    if field is not None:
        field = field.strip()
        if not field or "." in field:
            raise SigningError(_("invalid signature field name {name!r}").format(name=field),
                               _("use a simple name such as approver or reviewer"))
        if existing.get(field):
            raise SigningError(_("the signature field {name} of {path} is already signed").format(
                name=field, path=in_path), _("use another --field name"))
        name = field
    else:
        n = 1
        while f"{INVISIBLE_PREFIX}{n}" in existing:
            n += 1
        name = f"{INVISIBLE_PREFIX}{n}"
    signer_name = _common_name(signer.signing_cert)
    meta = signers.PdfSignatureMetadata(
        field_name=name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    spec = None
    if field is not None and field not in existing:
        spec = fields.SigFieldSpec(sig_field_name=field, on_page=0, box=DEFAULT_BOX)
    elif field is None:
        spec = fields.SigFieldSpec(sig_field_name=name)
    style = TextStampStyle(
        stamp_text="Signed by / Ky boi:\n%(name)s\n%(ts)s",
        timestamp_format="%Y-%m-%d %H:%M:%S %Z",
        border_width=1,
    )
    pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec)
    out = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, output=out, appearance_text_params={"name": ascii_fold(signer_name)})
    except (HankoSigningError, ValueError, KeyError, IndexError) as exc:
        raise SigningError(_("cannot sign {path}: {reason}").format(path=in_path, reason=exc)) from None
    signed = out.getvalue()
    if not signed.startswith(data):  # pragma: no cover - pyHanko always appends
        raise SigningError(_("signing did not produce an incremental update; nothing was written"))
    atomic_write_bytes(out_path, signed)
    return SignResult(out_path, name, visible, signer_name, dt.datetime.now(dt.UTC))
