"""``qms sign`` and ``qms verify``: PAdES signatures on rendered PDFs."""

from __future__ import annotations

from pathlib import Path

import click

from qms.cli.common import force_option
from qms.errors import UsageError
from qms.i18n import _


def _read_password(path: Path | None) -> str | None:
    if path is None:
        return None
    from qms.store.limits import current
    from qms.store.safe_open import read_bounded

    try:
        text = read_bounded(path, current().credential_size, "credential_size").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(_("cannot read the password file {path}: {reason}").format(
            path=path, reason=getattr(exc, "strerror", None) or exc)) from None
    # the first line, as --help says; a byte-order mark (Notepad's "UTF-8 with BOM") is not part of it
    lines = text.removeprefix("\ufeff").splitlines()
    return lines[0] if lines else ""


@click.command("sign")
@click.argument("in_pdf", metavar="IN.pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--p12", "p12", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="PKCS#12 file (.p12/.pfx) with the signer's key and certificate.")
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File whose first line is the PKCS#12 password (never pass passwords on the command line).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Signed PDF to write (never IN.pdf, the key or the password file).")
@click.option("--field", default=None,
              help="Visible signature in this field (e.g. approver); default: an invisible signature.")
@force_option
def sign(in_pdf: Path, p12: Path, password_file: Path | None, output: Path, field: str | None,
         force: bool) -> None:
    """Sign IN.pdf with a PAdES (B-B) signature, as an incremental update.

    Exit 2 for unusable input (unreadable PDF, wrong password, unsuitable certificate).
    """
    from qms.signing import sign_pdf
    from qms.store.outputs import guard_output

    guard_output(output, "pdf", inputs=[in_pdf, p12, password_file], force=force)
    result = sign_pdf(in_pdf, output, p12, _read_password(password_file), field)
    kind = _("visible") if result.visible else _("invisible")
    click.echo(_("signed {path} as {signer} ({kind} field {field})").format(
        path=result.out_path, signer=result.signer, kind=kind, field=result.field))


@click.command("verify")
@click.argument("pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--trust", "trust", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Trusted CA certificate(s), PEM or DER (repeatable); default: the system trust store.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def verify(ctx: click.Context, pdf: Path, trust: tuple[Path, ...], fmt: str) -> None:
    """Report the signatures of PDF: signer, time, validity, signed bytes, later changes and trust.

    Exit 0 only when every signature is valid, well formed and trusted and was followed by nothing
    but later signatures, timestamps/DSS data or form filling; 1 otherwise (NOT OK, including an
    unsigned PDF, a malformed signature value, metadata, page or annotation changes and bytes
    appended after %%EOF); 2 for input that cannot be read (not a PDF, encrypted, truncated).
    """
    from qms.signing.verify import to_json, to_text, verify_pdf

    report = verify_pdf(pdf, list(trust) or None)
    click.echo((to_json if fmt == "json" else to_text)(report), nl=False)
    ctx.exit(0 if report.ok else 1)
