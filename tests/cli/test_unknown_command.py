"""An unknown subcommand is refused (exit 2) with the closest command names, in the user's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.mark.parametrize(("argv", "english", "vietnamese"), [
    (("audti",), "No such command 'audti'. Did you mean 'audit'?", "Không có lệnh 'audti'. Ý bạn là 'audit'?"),
    (("nc", "clsoe"), "No such command 'clsoe'. Did you mean 'close'?", "Không có lệnh 'clsoe'. Ý bạn là 'close'?"),
    (("re",), "No such command 're'. (Did you mean one of: 'rule', 'refs'?)",
     "Không có lệnh 're'. (Ý bạn là một trong: 'rule', 'refs'?)"),
])
def test_unknown_subcommand_suggests_the_closest(run_qms: Callable[..., Any], argv: tuple[str, ...], english: str,
                                                 vietnamese: str) -> None:
    """U1: `qms audti` said only "No such command 'audti'." (the top-level group is lazy, so click had no names
    to compare); every group now names the closest commands, in English and in Vietnamese."""
    en = run_qms("--lang", "en", *argv)
    assert en.exit_code == 2
    assert english in en.stderr, en.stderr
    vi = run_qms("--lang", "vi", *argv)
    assert vi.exit_code == 2
    assert vietnamese in vi.stderr, vi.stderr
    assert "Cách dùng:" in vi.stderr and "Usage:" not in vi.stderr


def test_a_far_name_gets_no_random_suggestion(run_qms: Callable[..., Any]) -> None:
    """U2: nothing close: the refusal and the pointer to --help, no made-up suggestion."""
    r = run_qms("--lang", "en", "xyzzy")
    assert r.exit_code == 2
    assert "No such command 'xyzzy'.\n" in r.stderr and "Did you mean" not in r.stderr
    assert "Try 'qms --help' for help." in r.stderr
