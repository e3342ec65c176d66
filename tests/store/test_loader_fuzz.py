"""Property tests: no input, however hostile, produces an exception from loading or checking."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qms.engine import CheckOptions, run_check
from qms.store.workspace import load_workspace
from qms.store.yaml_io import load_bytes, load_text

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"

yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    r = load_bytes(raw)
    for p in r.problems:
        assert p.line >= 1 and p.column >= 1 and p.message


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#\n\t ,?%@`0123456789ệ")), max_size=200))
def test_yaml_like_text_never_raises(text: str) -> None:
    load_text(text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), yaml_values.map(lambda v: yaml.safe_dump(v).encode())))
def test_check_never_raises_on_a_hostile_process_file(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        shutil.copytree(BASE, root)
        (root / "processes" / "QT-FUZZ.yaml").write_bytes(content)
        (root / "qms.yaml").write_bytes((root / "qms.yaml").read_bytes() + b"\n" + content[:50])
        report = run_check(load_workspace(root), CheckOptions(profile="strict"))
        for d in report.diagnostics:
            assert d.location.line >= 1 and d.location.column >= 1


scalar_texts = st.sampled_from([
    "yes", "No", "on", "off", "~", "null", "", "1.10", "010", "0x1F", "0o17", "1_000", "1e3", "1.5e3", ".inf",
    "-.Inf", "2026-01-05", "2026-01-05 10:30:00", "2026-1-5", "12:30", "190:20:30", "=", "<<", "true",
    "Thủ tục", "'quoted'", '"dq"', "a: b", "- x", "#", "&a", "*a", "!!str 5", "!x y", "[1, 2]", "{a: 1}",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "id", "1", "<<", "'k'"]), scalar_texts), max_size=6),
       st.booleans())
def test_fast_path_equals_pyyaml_whenever_it_accepts(pairs: list[tuple[str, str]], nested: bool) -> None:
    from qms.store.yaml_io import load_text_fast

    lines = [f"{k}: {v}" for k, v in pairs]
    text = "\n".join(lines) + "\n"
    if nested:
        text = "top:\n" + "".join("  " + line + "\n" for line in lines) + "list:\n" + "".join(
            f"  - {v}\n" for _k, v in pairs)
    try:
        expected = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        expected = None
    fast = load_text_fast(text)
    if fast is not None:
        assert fast.data == expected
        assert isinstance(fast.data, dict)


@settings(max_examples=200, deadline=None)
@given(yaml_values)
def test_fast_path_round_trips_dumped_data(value: object) -> None:
    from qms.store.yaml_io import load_text_fast

    text = yaml.safe_dump({"root": value}, allow_unicode=True)
    fast = load_text_fast(text)
    assert fast is not None
    assert fast.data == yaml.load(text, Loader=yaml.CSafeLoader)
