"""Keep untrusted text inert on a terminal: control characters and bidirectional overrides are escaped."""

from __future__ import annotations

import re

# C0 and C1 controls (escape sequences, bells, carriage returns) and the bidirectional embeddings,
# overrides and isolates that can reorder what a reader sees ("Trojan Source").
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def inert(text: str) -> str:
    """``text`` with every unsafe character written as a visible escape (``\\x1b``, ``\\u202e``)."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                       else f"\\u{ord(m.group()):04x}", text)
