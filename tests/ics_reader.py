"""A tiny RFC 5545 reader for the `qms due` tests (this folder and tests/security)."""

from __future__ import annotations


def unfold(text: str) -> list[str]:
    """RFC 5545 3.1: CRLF followed by one space or tab continues the previous line."""
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    lines: list[str] = []
    for line in physical:
        if line[:1] in (" ", "\t"):
            assert lines, "a continuation line cannot come first"
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        assert ch not in ",;", f"unescaped {ch!r} in TEXT value {value!r}"
        out.append(ch)
        i += 1
    return "".join(out)


def parse_ics(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """A tiny RFC 5545 reader: the calendar's properties and one dict per VEVENT."""
    assert "\n" not in text.replace("\r\n", ""), "every line ends with CRLF"
    for raw in text[:-2].split("\r\n"):
        assert len(raw.encode("utf-8")) <= 75, f"line longer than 75 octets: {raw!r}"
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    calendar: dict[str, str] = {}
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines[1:-1]:
        name, _sep, value = line.partition(":")
        assert _sep, f"not a content line: {line!r}"
        if line == "BEGIN:VEVENT":
            assert current is None
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        elif current is not None:
            current[name] = value
        else:
            calendar[name] = value
    assert current is None
    return calendar, events
