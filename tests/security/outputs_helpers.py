"""Helpers for the output-guard, interruption and OS-error tests: a real repository under git, a
throw-away signing key, a tiny PDF and the real command line in a subprocess."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "mật-khẩu 123"
KPI_HEADER = "Mã hồ sơ,Mã thủ tục,Đơn vị,Ngày tiếp nhận,Ngày có kết quả,Trạng thái\n"


def qms(cwd: Path, *args: str | Path, env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real ``qms`` command line (``python -m qms``) in ``cwd``."""
    full_env = {**os.environ, "QMS_LANG": "en", **(env or {})}
    full_env.pop("QMS_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "qms", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, env=full_env, timeout=timeout, check=False)


def git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)


def example_repo(target: Path, *, with_git: bool = True) -> Path:
    """A copy of the example organisation, committed to a fresh git repository."""
    target.mkdir(parents=True)
    for name in ("qms.yaml", "processes", "records", "audits"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=shutil.ignore_patterns(".lock", ".qms-cache"))
        else:
            shutil.copy2(src, target / name)
    if with_git:
        git(target, "init", "-q")
        git(target, "add", "-A")
        git(target, "commit", "-q", "-m", "example")
    return target


def kpi_log(path: Path) -> Path:
    path.write_text(KPI_HEADER + "A1,QT-CT-01,Tư pháp,03/03/2026 08:00,03/03/2026 10:00,Đã trả\n",
                    encoding="utf-8")
    return path


@dataclass(frozen=True)
class Key:
    p12: Path
    password_file: Path
    p12_without_key: Path


def signing_key(directory: Path) -> Key:
    """A self-signed document-signing certificate in a password-protected PKCS#12 file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Văn An")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    enc = serialization.BestAvailableEncryption(PASSWORD.encode("utf-8"))
    p12 = directory / "signer.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"an", key, cert, None, enc))
    no_key = directory / "cert-only.p12"
    no_key.write_bytes(pkcs12.serialize_key_and_certificates(b"an", None, cert, None, enc))
    password_file = directory / "password.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    return Key(p12, password_file, no_key)


def tiny_pdf(path: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (outside .git) and its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}
