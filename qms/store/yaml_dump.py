"""The one YAML writer for files that people read and edit.

Records qms writes (nonconformities, audits, programmes, migration logs,
exported action lists) are edited by hand afterwards, so they must read like
hand-written YAML: no anchors or aliases (``&id001`` / ``*id001``) even when
the same list or mapping appears twice, multi-line text as literal blocks,
Unicode as is, keys in the order given.
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class PlainDumper(_BaseDumper):
    """A safe dumper that never emits anchors and writes multi-line strings as ``|`` blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str_representer(dumper: PlainDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


PlainDumper.add_representer(str, _str_representer)


def dump_yaml(data: Any, *, width: int = 100, flow: bool = False) -> str:
    """``data`` as block-style YAML without anchors (``flow=True`` for one-line values)."""
    return yaml.dump(
        data,
        Dumper=PlainDumper,
        allow_unicode=True,
        sort_keys=False,
        width=width,
        default_flow_style=flow,
    )


def dump_yaml_commented(data: Any, comments: dict[str, list[str]], header: list[str] | None = None) -> str:
    """``data`` as block-style YAML with a ``# comment`` at the end of the line of each JSON pointer in
    ``comments`` (an imported draft says where each field came from). Lines are never folded, so a
    comment never lands inside a multi-line plain scalar."""
    from qms.store.yaml_io import load_text

    text = dump_yaml(data, width=1 << 20)
    lines = text.splitlines()
    loaded = load_text(text)
    at: dict[int, list[str]] = {}
    for ptr, notes in comments.items():
        mark, _found = loaded.source_map.locate(ptr, prefer_key=True)
        at.setdefault(mark.line, []).extend(notes)
    for line_no, notes in at.items():
        idx = line_no - 1
        if 0 <= idx < len(lines):
            note = "; ".join(dict.fromkeys(" ".join(n.replace("#", "№").split()) for n in notes if n.strip()))
            if note:
                lines[idx] = f"{lines[idx]}  # {note}"
    head = [f"# {' '.join(h.split())}" for h in (header or [])]
    return "\n".join(head + lines) + "\n"
