"""What people call the agencies and steps the flow report counts by id.

The JSON keeps ids; the text, CSV, HTML and PDF reports, meant for people, show names: a
participating agency's name from the procedure's ``administrative.agencies``, the organisation's own
name for the organisation itself, and each step's name after its number on the flowchart (a step id is
the author's key, never printed in a document).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

#: the agency id of the organisation itself (its own units and roles), beside a procedure's agencies
HOME = "organisation"

if TYPE_CHECKING:
    from qms.models.organisation import Manifest
    from qms.models.process import Process


@dataclass(slots=True)
class Labels:
    #: procedure -> agency id -> name
    agencies: dict[str, dict[str, str]] = field(default_factory=dict)
    #: procedure -> step id -> name
    steps: dict[str, dict[str, str]] = field(default_factory=dict)
    #: procedure -> step id -> its number on the flowchart and in the steps table
    numbers: dict[str, dict[str, int]] = field(default_factory=dict)
    #: the organisation's own name (the agency ``organisation``)
    home: str = ""

    @classmethod
    def of(cls, processes: Iterable[Process], manifest: Manifest | None, lang: str, home: str) -> Labels:
        labels = cls()
        if manifest is not None:
            org = manifest.organisation
            labels.home = ((org.short_name.get(lang) if org.short_name is not None else "")
                           or org.name.get(lang))
        for proc in processes:
            names = {home: labels.home} if labels.home else {}
            if proc.administrative is not None:
                names.update({a.id: a.name.get(lang) or a.id for a in proc.administrative.agencies})
            labels.agencies[proc.id] = names
            labels.steps[proc.id] = {s.id: s.name.get(lang) for s in proc.steps}
            labels.numbers[proc.id] = {s.id: i + 1 for i, s in enumerate(proc.steps)}
        return labels

    def agency(self, procedure: str, ident: str) -> str:
        """The agency's name; an agency the map does not know (as the log wrote it) as written."""
        return self.agencies.get(procedure, {}).get(ident) or ident

    def step(self, procedure: str, ident: str) -> str:
        """``5. Thẩm định hồ sơ``: the step's number on the flowchart and its name; a step the map does not
        know as the log wrote it."""
        name = self.steps.get(procedure, {}).get(ident)
        number = self.numbers.get(procedure, {}).get(ident)
        return f"{number}. {name}" if name and number else (name or ident)


def load_labels(root: Path, lang: str, home: str) -> Labels:
    """The labels of the repository at ``root`` in ``lang``."""
    from qms.store.workspace import load_workspace

    ws = load_workspace(root, kinds=("manifest", "process"))
    return Labels.of((p for _d, p in ws.processes()), ws.manifest, lang, home)
