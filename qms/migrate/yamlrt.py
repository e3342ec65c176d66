"""Round-trip YAML (ruamel.yaml) that keeps the user's comments, quotes and indentation."""

from __future__ import annotations

import io
import itertools
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from qms.errors import ConfigError
from qms.i18n import _
from qms.store.yaml_io import check_expansion

_KEY_ONLY = re.compile(r"^(\s*)[^\s#-][^:#]*:\s*(#.*)?$")
_DASH = re.compile(r"^(\s*)- ")
_KEY = re.compile(r"^(\s*)[^\s#-][^:#]*:")


def guess_indent(text: str) -> tuple[int, int]:
    """``(mapping indent, dash offset)`` as written in ``text`` (defaults 2 and 2)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    mapping, offset = 0, -1
    for prev, line in itertools.pairwise(lines):
        head = _KEY_ONLY.match(prev)
        if head is None:
            continue
        base = len(head.group(1))
        dash = _DASH.match(line)
        key = _KEY.match(line)
        if dash is not None and offset < 0:
            offset = max(0, len(dash.group(1)) - base)
        elif dash is None and key is not None and not mapping and len(key.group(1)) > base:
            mapping = len(key.group(1)) - base
        if mapping and offset >= 0:
            break
    return (mapping or 2), (2 if offset < 0 else offset)


def make_yaml(text: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    mapping, offset = guess_indent(text)
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    return yaml


def load(text: str, name: str) -> tuple[YAML, Any]:
    check_expansion(text, name)  # ruamel would expand an alias bomb while the migration walks it
    yaml = make_yaml(text)
    try:
        return yaml, yaml.load(text)
    except YAMLError as exc:
        raise ConfigError(_("cannot read {name}: {error}").format(name=name, error=exc).splitlines()[0],
                          hint=_("run `qms check` and fix the YAML first")) from None


def dump(yaml: YAML, data: Any) -> str:
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()
