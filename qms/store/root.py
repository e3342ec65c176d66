"""Where the repository is: the nearest ancestor holding ``qms.yaml`` (or ``--root``).

Kept apart from :mod:`qms.store.workspace` so that finding the repository (every command does, to
pick the language of its first message) does not import the models.
"""

from __future__ import annotations

from pathlib import Path

from qms.errors import WorkspaceNotFound
from qms.i18n import _

MANIFEST = "qms.yaml"


def find_root(start: Path | None = None, explicit: Path | None = None) -> Path:
    """The repository root: ``explicit`` if given, else the nearest ancestor holding ``qms.yaml``."""
    if explicit is not None:
        root = explicit.resolve()
        if not (root / MANIFEST).is_file():
            raise WorkspaceNotFound(
                _("{path} does not contain {manifest}").format(path=explicit, manifest=MANIFEST),
                hint=_("point --root at a QMS repository, or create one with `qms init DIR`"),
            )
        return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / MANIFEST).is_file():
            return candidate
    raise WorkspaceNotFound(
        _("no {manifest} found in {path} or any parent directory").format(manifest=MANIFEST, path=here),
        hint=_("run qms inside a QMS repository, pass --root DIR, or create one with `qms init DIR`"),
    )
