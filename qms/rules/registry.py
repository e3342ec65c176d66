"""The explicit rule catalogue: every family module contributes its ``RULES`` tuple."""

from __future__ import annotations

from functools import cache

from qms.rules import (
    audit,
    config,
    doc_control,
    documents,
    editions,
    identity,
    legacy,
    legal,
    loading,
    nonconformity,
    process_map,
    review,
    style,
    system,
)
from qms.rules.base import Rule, find_rule

FAMILIES = (loading, identity, config, legacy, process_map, system, doc_control, style, audit, nonconformity,
            review, documents, legal, editions)


@cache
def all_rules() -> tuple[type[Rule], ...]:
    rules: list[type[Rule]] = []
    for family in FAMILIES:
        rules.extend(family.RULES)
    return tuple(sorted(rules, key=lambda r: r.code))


def by_code() -> dict[str, type[Rule]]:
    return {r.code: r for r in all_rules()}


def lookup(code_or_name: str) -> type[Rule] | None:
    return find_rule(all_rules(), code_or_name)
