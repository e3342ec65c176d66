"""One alias-expansion budget per command run, shared by every YAML file the run reads.

A file's own cap (:data:`qms.store.yaml_io.MAX_NODES`) stops one alias bomb; this budget stops
many files that each stay just under that cap. Only the values that aliases *add* are counted
(the expanded size minus the nodes written in the file), so files without anchors cost nothing.
"""

from __future__ import annotations

_spent = 0


def reset() -> None:
    global _spent
    _spent = 0


def spent() -> int:
    return _spent


def charge(added: int) -> bool:
    """Spend ``added`` alias-expanded values; False (nothing spent) when the budget would run out."""
    global _spent
    from qms.store.limits import current

    if added <= 0:
        return True
    if _spent + added > current().yaml_alias_nodes:
        return False
    _spent += added
    return True
