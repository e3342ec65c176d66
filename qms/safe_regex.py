"""Regular expressions taken from repository content, run in linear time.

A pattern in ``qms.yaml`` (``document_codes.process_pattern`` ...) is untrusted input: with a
backtracking engine, ``^(a+)+$`` against a long id runs for hours. Such patterns are compiled
with RE2 (``google-re2``), whose matching time is linear in the text. RE2 has no
back-references or look-around; a pattern that needs them is refused with a message.
The patterns qms ships as defaults are known to be linear and use Python's engine (RE2's
import is only paid when a repository sets its own pattern).
"""

from __future__ import annotations

import re
from typing import Protocol


class Matcher(Protocol):
    @property
    def pattern(self) -> str: ...

    def search(self, text: str) -> object | None: ...


class UnsafePattern(ValueError):
    """The pattern is invalid, or uses a feature the linear-time engine does not support."""


class _Re2Matcher:
    def __init__(self, compiled: object, pattern: str) -> None:
        self._compiled = compiled
        self._pattern = pattern

    @property
    def pattern(self) -> str:
        return self._pattern

    def search(self, text: str) -> object | None:
        found: object | None = self._compiled.search(text)  # type: ignore[attr-defined]
        return found


def compile_untrusted(pattern: str, trusted: frozenset[str] = frozenset()) -> Matcher:
    """A linear-time matcher for ``pattern``; :class:`UnsafePattern` when it cannot be one.

    ``trusted`` lists patterns shipped with qms, compiled with :mod:`re`.
    """
    if pattern in trusted:
        return re.compile(pattern)
    try:
        re.compile(pattern)  # Python's syntax is what users write and what the messages explain
    except re.error as exc:
        raise UnsafePattern(str(exc)) from None
    import re2  # type: ignore[import-untyped]

    options = re2.Options()
    options.log_errors = False
    try:
        return _Re2Matcher(re2.compile(pattern, options=options), pattern)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise UnsafePattern(reason) from None
