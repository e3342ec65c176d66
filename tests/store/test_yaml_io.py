"""The YAML loader: source map, duplicate keys, alias limits, YAML 1.1 surprises, encodings."""

from __future__ import annotations

import time

import pytest

from qms.store.yaml_io import MAX_NODES, load_bytes, load_text


def test_source_map_points_at_keys_and_values() -> None:
    r = load_text("a: 1\nb:\n  - x: 2\n    y: hello\n")
    assert r.ok
    assert r.data == {"a": 1, "b": [{"x": 2, "y": "hello"}]}
    sm = r.source_map
    assert (sm.keys["/b/0/y"].line, sm.keys["/b/0/y"].column) == (4, 5)
    assert (sm.values["/b/0/y"].line, sm.values["/b/0/y"].column) == (4, 8)
    mark, found = sm.locate("/b/0/z/deeper")
    assert found == "/b/0" and mark.line == 3


def test_pointer_escaping() -> None:
    r = load_text("'a/b': {'c~d': 1}\n")
    assert "/a~1b/c~0d" in r.source_map.values


def test_duplicate_keys_are_reported_with_both_positions() -> None:
    r = load_text("id: A\nkind: core\nid: B\n")
    [p] = r.problems
    assert p.kind == "duplicate-key" and (p.line, p.column) == (3, 1)
    assert p.related[0].line == 1
    assert r.data == {"id": "B", "kind": "core"}


def test_nested_duplicate_keys() -> None:
    r = load_text("a:\n  x: 1\n  y: 2\n  x: 3\n")
    assert [(p.kind, p.line, p.column, p.pointer) for p in r.problems] == [("duplicate-key", 4, 3, "/a/x")]


def test_yaml11_plain_scalars_are_remembered() -> None:
    r = load_text("a: no\nb: 'no'\nc: 1.10\nd: 1.5\ne: 010\nf: true\n")
    assert r.source_map.plain_surprises == {"/a": "no", "/c": "1.10", "/e": "010"}
    assert r.data["a"] is False and r.data["b"] == "no" and r.data["f"] is True


def test_billion_laughs_is_rejected_quickly() -> None:
    text = "a: &a [" + ",".join(["lol"] * 10) + "]\n"
    prev = "a"
    for name in "bcdefghij":
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]\n"
        prev = name
    start = time.perf_counter()
    r = load_text(text)
    elapsed = time.perf_counter() - start
    assert [p.kind for p in r.problems] == ["alias-limit"]
    assert r.data is None
    assert elapsed < 1.0  # generous: it is milliseconds in practice


def test_aliases_below_the_limit_are_expanded() -> None:
    r = load_text("base: &b {x: 1}\nother: *b\n")
    assert r.ok and r.data["other"] == {"x": 1}
    assert MAX_NODES > 1000


def test_merge_keys() -> None:
    r = load_text("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n")
    assert r.data["other"] == {"x": 1, "y": 3}


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b"\xff\xfei\x00d\x00", "encoding"),
        (b"id: Th\xf9\n", "encoding"),
        (b"id: a\x00\n", "encoding"),
        (b"", "empty"),
        (b"# only a comment\n", "empty"),
        (b"a: [1, 2\n", "syntax"),
        (b"a:\n\tb: 1\n", "syntax"),
        (b"a: !!python/object/apply:os.system [ls]\n", "tag"),
        (b"a: !custom x\n", "tag"),
        (b"[" * 5000 + b"]" * 5000, "depth"),
    ],
)
def test_bad_inputs_become_problems(raw: bytes, kind: str) -> None:
    r = load_bytes(raw)
    assert kind in [p.kind for p in r.problems]
    for p in r.problems:
        assert p.line >= 1 and p.column >= 1 and p.message


def test_utf8_bom_is_accepted() -> None:
    r = load_bytes("\ufeffid: Thủ tục\n".encode())
    assert r.ok and r.data == {"id": "Thủ tục"}


def test_non_utf8_position_is_in_characters() -> None:
    r = load_bytes("id: ok\ntitle: Thủ t".encode() + b"\xf9c\n")
    [p] = r.problems
    assert (p.line, p.column) == (2, 13)
