"""A subprocess environment whose fontconfig names no font directory: the only fonts a qms document
can use are the bundled ones its pipeline declares (``base.j2``)."""

from __future__ import annotations

import os
from pathlib import Path

#: ligature characters (U+FB00–FB06): searching a PDF for "files" must find "files"
LIGATURES = frozenset(chr(c) for c in range(0xFB00, 0xFB07))


def empty_fontconfig(folder: Path) -> dict[str, str]:
    """``os.environ`` with FONTCONFIG_FILE pointing at a configuration of no fonts (its cache in
    ``folder``) and without QMS_LANG (each document's language is the command's or the organisation's)."""
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<fontconfig><cachedir>' + str(folder / "fc-cache")
                    + "</cachedir></fontconfig>\n", encoding="utf-8")
    env = dict(os.environ, FONTCONFIG_FILE=str(conf))
    env.pop("FONTCONFIG_PATH", None)
    env.pop("QMS_LANG", None)
    return env
