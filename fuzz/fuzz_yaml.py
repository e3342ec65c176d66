"""Fuzz target: the repository's YAML loader (``qms.store.yaml_io``), fast and careful paths.

Contract:
* ``load_bytes`` (careful) and ``load_bytes_fast`` never raise; every problem has a line and
  column >= 1 and a message;
* when the fast path accepts a text, its data equals what PyYAML's safe loader returns
  (the fast path's documented promise), and the lazy source map answers a lookup.
"""

from __future__ import annotations

import math
from typing import Any

import yaml
from _harness import expect, instrumented, main

with instrumented():
    from qms.store import yaml_io

try:
    _SafeLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _SafeLoader = yaml.SafeLoader


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _check_problems(loaded: yaml_io.LoadedYaml) -> None:
    for p in loaded.problems:
        expect(p.line >= 1 and p.column >= 1, f"problem without a position: {p}")
        expect(bool(p.message), f"problem without a message: {p}")


def test_one_input(data: bytes) -> None:
    careful = yaml_io.load_bytes(data)
    _check_problems(careful)
    fast_or_careful = yaml_io.load_bytes_fast(data)
    _check_problems(fast_or_careful)
    text, problem = yaml_io.decode(data)
    if text is None:
        expect(problem is not None, "decode returned neither text nor a problem")
        return
    fast = yaml_io.load_text_fast(text)
    if fast is None:
        return
    expect(isinstance(fast.data, dict), "the fast path accepted a document that is not a mapping")
    expected = yaml.load(text, Loader=_SafeLoader)  # must not raise: the fast path accepted the text
    expect(_same(fast.data, expected), f"fast path {fast.data!r} differs from PyYAML {expected!r}")
    mark, _found = fast.source_map.locate("/" + next(iter(fast.data), ""))
    expect(mark.line >= 1 and mark.column >= 1, "the lazy source map gave no position")


if __name__ == "__main__":
    main(test_one_input)
