"""One alias-expansion budget per command run, shared by every YAML file the run reads.

A file's own cap (:data:`qms.store.yaml_io.MAX_NODES`) stops one alias bomb; this budget stops
many files that each stay just under that cap. Only the values that aliases *add* are counted
(the expanded size minus the nodes written in the file), so files without anchors cost nothing.
"""

from __future__ import annotations

from qms.store import limits

_spent = 0
_run = -1  # the run of qms.store.limits that _spent belongs to


def reset() -> None:
    global _spent, _run
    _spent = 0
    _run = limits.run_number()


def _this_run() -> None:
    if _run != limits.run_number():  # a new command run: a fresh budget
        reset()


def spent() -> int:
    _this_run()
    return _spent


def charge(added: int) -> bool:
    """Spend ``added`` alias-expanded values; False (nothing spent) when the budget would run out."""
    global _spent
    current = limits.current
    _this_run()
    if added <= 0:
        return True
    if _spent + added > current().yaml_alias_nodes:
        return False
    _spent += added
    return True
