"""The resource limits every reader applies before it spends memory or time.

The defaults are generous for real quality-system files and far below what hurts. They apply to
one command run (one ``qms`` process). A repository's ``qms.yaml`` may only *lower* them
(its ``limits:`` block, see :func:`lower_from_manifest`): the repository is untrusted input.
The operator raises them on the command line: ``qms --limit yaml_size=64MiB check``.
The names, defaults and units are documented in ``docs/security-limits.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Any

from qms.errors import UsageError
from qms.i18n import _, format_number

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass(frozen=True, slots=True)
class Limits:
    """Every bound, with its default. Sizes are in bytes."""

    yaml_size: int = 20 * MiB
    """One YAML file: repository files, ``--limits``, ``--columns``, ``--calendar``, migration input."""
    yaml_alias_nodes: int = 300_000
    """Values added by alias expansion (``*x``), summed over every YAML file a command reads."""
    log_size: int = 2 * GiB
    """One dossier log (CSV or spreadsheet file)."""
    archive_unpacked: int = 256 * MiB
    """The total uncompressed size of an xlsx/docx container (checked while decompressing)."""
    archive_entries: int = 10_000
    """The number of members in an xlsx/docx container."""
    archive_ratio: int = 200
    """The largest compression ratio of one member over 1 MiB."""
    sheet_cells: int = 5_000_000
    """Rows × columns of one worksheet, as declared and as used."""
    pdf_size: int = 256 * MiB
    """One PDF given to ``qms verify`` or ``qms sign``."""
    image_size: int = 32 * MiB
    """One image file fetched for rendering."""
    image_pixels: int = 50_000_000
    """Width × height of one raster image (a decompression bomb is small on disk, huge decoded)."""
    credential_size: int = 1 * MiB
    """A PKCS#12 key file, a certificate or a password file."""


DEFAULTS = Limits()
NAMES: tuple[str, ...] = tuple(f.name for f in fields(Limits))
_SIZE_NAMES = frozenset(n for n in NAMES if n.endswith("_size") or n == "archive_unpacked")

_active: Limits = DEFAULTS
_raised: frozenset[str] = frozenset()
_notices: list[str] = []


def note(*messages: str) -> None:
    """Keep warnings for the command line to print once (the store does not print)."""
    for message in messages:
        if message not in _notices:
            _notices.append(message)


def take_notices() -> list[str]:
    out = list(_notices)
    _notices.clear()
    return out


def current() -> Limits:
    """The limits in force for this run."""
    return _active


_run = 0


def run_number() -> int:
    """Which command run this is: per-run budgets (the YAML alias budget) start afresh when it changes."""
    return _run


def reset() -> None:
    """Back to the defaults and a fresh YAML budget (the start of a command run)."""
    global _active, _raised, _run
    _active = DEFAULTS
    _raised = frozenset()
    _notices.clear()
    _run += 1


_UNITS = {"": 1, "b": 1, "k": KiB, "kb": KiB, "kib": KiB, "m": MiB, "mb": MiB, "mib": MiB,
          "g": GiB, "gb": GiB, "gib": GiB}
_VALUE = re.compile(r"^\s*(\d+)\s*([a-zA-Z]*)\s*$")


def parse_value(name: str, text: str) -> int:
    """``64MiB``, ``2GiB``, ``500000`` → an integer (units are powers of 1024)."""
    m = _VALUE.match(text.replace("_", ""))
    unit = m.group(2).lower() if m else ""
    if m is None or unit not in _UNITS or (unit and name not in _SIZE_NAMES):
        raise UsageError(
            _("--limit {name}: cannot read the value {value!r}").format(name=name, value=text),
            _("write a whole number; sizes may end in KiB, MiB or GiB, e.g. --limit yaml_size=64MiB"))
    return int(m.group(1)) * _UNITS[unit]


def raise_from_options(options: tuple[str, ...] | list[str]) -> None:
    """Apply the operator's ``--limit NAME=VALUE`` options (they may raise or lower a limit)."""
    global _active, _raised
    changes: dict[str, int] = {}
    for option in options:
        name, sep, value = option.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in NAMES:
            raise UsageError(
                _("--limit {option!r}: unknown limit").format(option=option),
                _("write NAME=VALUE with NAME one of: {names}").format(names=", ".join(NAMES)))
        changes[name] = parse_value(name, value)
    _active = replace(_active, **changes)
    _raised = _raised | frozenset(changes)


def lower_from_manifest(block: Any) -> list[str]:
    """Apply a ``limits:`` mapping from the (untrusted) ``qms.yaml``: values may only lower a limit.

    Returns warnings for entries that were ignored (unknown names, bad values, values above the
    limit in force). A limit the operator set with ``--limit`` is left as the operator set it.
    """
    global _active
    if block is None:
        return []
    if not isinstance(block, dict):
        return [_("qms.yaml: `limits` must be a mapping of limit names to values; ignored")]
    warnings: list[str] = []
    changes: dict[str, int] = {}
    for key, raw in block.items():
        name = str(key)
        if name not in NAMES:
            warnings.append(_("qms.yaml: unknown limit `{name}` ignored (known: {names})").format(
                name=name, names=", ".join(NAMES)))
            continue
        try:
            value = raw if isinstance(raw, int) and not isinstance(raw, bool) else parse_value(name, str(raw))
        except UsageError:
            warnings.append(_("qms.yaml: limit `{name}` has an unreadable value {value!r}; ignored").format(
                name=name, value=raw))
            continue
        if name in _raised:
            continue
        in_force = getattr(_active, name)
        if value > in_force or value <= 0:
            warnings.append(_(
                "qms.yaml: limit `{name}: {value}` ignored; a repository may only lower a limit "
                "(in force: {current}); raise it with `qms --limit {name}=VALUE`").format(
                    name=name, value=raw, current=human(in_force) if name in _SIZE_NAMES else format_number(in_force, digits=0)))
            continue
        changes[name] = value
    if changes:
        _active = replace(_active, **changes)
    return warnings


def human(size: int) -> str:
    """A byte count for messages: ``20 MiB``."""
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if size >= scale:
            value = size / scale
            return f"{format_number(value, digits=1)} {unit}"
    return f"{size} B"
