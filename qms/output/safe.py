"""Keep untrusted text inert on a terminal and in a CI log.

:func:`inert` escapes control characters and bidirectional overrides but keeps line breaks and tabs
(for text qms lays out itself). :func:`one_line` also escapes line breaks and tabs: it is for user
text placed inside one output line (a title in a table, an id in a message), so that a title whose
second line is ``::error file=x::…`` can never start a line of its own, which a CI runner would read
as a workflow command.
"""

from __future__ import annotations

import re
from typing import Any

# C0 and C1 controls (escape sequences, bells, carriage returns) and the bidirectional embeddings,
# overrides and isolates that can reorder what a reader sees ("Trojan Source").
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# ... plus line feed, tab and the Unicode line and paragraph separators
_UNSAFE_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def inert(text: str) -> str:
    """``text`` with every unsafe character written as a visible escape (``\\x1b``, ``\\u202e``)."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                       else f"\\u{ord(m.group()):04x}", text)


def one_line(value: Any) -> str:
    """``value`` as text on one line: line breaks, tabs, controls and bidi overrides written as escapes."""
    text = "" if value is None else str(value)
    return _UNSAFE_IN_LINE.sub(_escape, text)


# a line a CI runner would read as a workflow command (GitHub trims leading blanks before `::`)
_COMMAND_START = re.compile(r"^(\s*)(::|##\[)")


def lines(value: Any, indent: str = "    ") -> str:
    """``value`` as multi-line text laid out by qms: each line of the text on a line of its own (every line
    after the first indented by ``indent``), each line escaped as :func:`one_line` escapes it, and a line
    that would start a CI workflow command (``::``, ``##[``) escaped at its start."""
    text = "" if value is None else str(value)
    out: list[str] = []
    for i, part in enumerate(text.replace("\r\n", "\n").strip("\n").split("\n")):
        line = _COMMAND_START.sub(lambda m: m.group(1) + "\\x3a" + m.group(2)[1:] if m.group(2) == "::"
                                  else m.group(1) + "\\x23" + m.group(2)[1:], one_line(part))
        out.append(line if i == 0 else indent + line)
    return "\n".join(out)
