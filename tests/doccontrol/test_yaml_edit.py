"""Round-trip YAML edits: untouched files are reproduced exactly; edits are atomic and refusable."""

from __future__ import annotations

from pathlib import Path

import pytest

from qms.errors import InvalidTransition
from qms.store.yaml_edit import YamlEditError, edit_yaml_file, loads_roundtrip

ROOT = Path(__file__).parent.parent.parent
SAMPLES = sorted([*ROOT.glob("qms/store/templates/*/qms.yaml"), *ROOT.glob("qms/store/templates/*/processes/*.yaml"),
                  *ROOT.glob("tests/rules/base/**/*.yaml")])


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_untouched_documents_round_trip_exactly(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert loads_roundtrip(text).dump() == text


@pytest.mark.parametrize("text", [
    "a: 1   # comment\nlist:\n- x\n- y\n",  # sequences not indented under their key
    "---\n# header\nkey:\n    nested: {a: 1, b: 'q'}\n",  # explicit start, 4-space mappings
    "\ufeffname: \"Nguyễn\"\r\nitems:\r\n  - 1\r\n",  # BOM and CRLF
])
def test_other_layouts_round_trip(text: str) -> None:
    assert loads_roundtrip(text).dump() == text


def test_edit_changes_only_what_it_touches(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text("# top\ndocument:\n  revision: 1   # lần ban hành\n  history:\n    - {revision: 1}\n",
                    encoding="utf-8")

    def bump(data: dict) -> int:
        data["document"]["revision"] = 2
        return 2

    assert edit_yaml_file(path, bump) == 2
    assert path.read_text(encoding="utf-8") == (
        "# top\ndocument:\n  revision: 2   # lần ban hành\n  history:\n    - {revision: 1}\n")


def test_a_refused_edit_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text("document: {revision: 1}\n", encoding="utf-8")

    def refuse(data: dict) -> None:
        data["document"]["revision"] = 99
        raise InvalidTransition("no")

    with pytest.raises(InvalidTransition):
        edit_yaml_file(path, refuse)
    assert path.read_text(encoding="utf-8") == "document: {revision: 1}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.yaml"]


def test_broken_yaml_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(YamlEditError, match="not valid YAML"):
        edit_yaml_file(path, lambda data: None)
    path.write_bytes(b"a: \xff\n")
    with pytest.raises(YamlEditError, match="not UTF-8"):
        edit_yaml_file(path, lambda data: None)


def test_one_round_trip_wrapper_serves_migrate_too() -> None:
    """issue 17: the migrate command and document control share one ruamel wrapper (store/yaml_edit)."""
    import qms.migrate.apply as migrate_apply

    assert migrate_apply.loads_roundtrip is loads_roundtrip
    # a 4-space, dash-indented file keeps its layout; only the extra space inside a line goes
    text = "a:\n    b:\n        - x:  1\n          y: 2\n    c: 3\n"
    rt = loads_roundtrip(text)
    assert rt.dump() == text.replace("x:  1", "x: 1")
