"""The system's trusted certificates, as files: the OpenSSL default CA bundle paths."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path


def system_ca_bundles() -> Iterator[bytes]:
    """The content of each readable CA bundle file of the system's OpenSSL default paths, in order
    (best effort: an unreadable one is skipped)."""
    verify = ssl.get_default_verify_paths()
    for name in (verify.cafile, verify.openssl_cafile):
        if not name:
            continue
        try:
            data = Path(name).read_bytes()
        except OSError:
            continue
        yield data
