"""What people call the agencies and steps the flow report counts by id.

The JSON keeps ids; the text, CSV, HTML and PDF reports, meant for people, show names: a
participating agency's name from the procedure's ``administrative.agencies``, the organisation's own
name for the organisation itself, and each step's name beside its id.
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
        return labels

    def agency(self, procedure: str, ident: str) -> str:
        """The agency's name; an agency the map does not know (as the log wrote it) as written."""
        return self.agencies.get(procedure, {}).get(ident) or ident

    def step(self, procedure: str, ident: str) -> str:
        """``B5 Thẩm định hồ sơ``: the step's id and name; an unknown step as written."""
        name = self.steps.get(procedure, {}).get(ident)
        return f"{ident} {name}" if name else ident


def load_labels(root: Path, lang: str, home: str) -> Labels:
    """The labels of the repository at ``root`` in ``lang``."""
    from qms.store.workspace import load_workspace

    ws = load_workspace(root, kinds=("manifest", "process"))
    return Labels.of((p for _d, p in ws.processes()), ws.manifest, lang, home)
