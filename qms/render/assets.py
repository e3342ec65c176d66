"""Package assets served to WeasyPrint under the ``qms-asset:`` URL scheme.

Fonts are derived once from the ``fontpkg-noto-sans`` variable TTF: the variable font is subset
to Latin, Vietnamese and common symbols (layout tables kept, so shaping still works) and
instantiated to static Regular and Bold faces. Subsetting a 2 MB variable font on every PDF
write costs about a second per face; the derived faces make that a tenth of it. The derived
files are cached on disk, outside any repository and authenticated like every qms cache
(:mod:`qms.store.cache_dir`): ``fonts/`` under the user's qms cache folder, or ``$QMS_RENDER_FONT_DIR``.
"""

from __future__ import annotations

import hashlib
import os
import threading
from importlib import resources
from pathlib import Path
from typing import Any

from qms.errors import QmsError
from qms.i18n import _
from qms.store.cache_dir import CacheArea, shared_area

SCHEME = "qms-asset:"
FONT_RECIPE = "noto-vi-static-4"

#: Unicode ranges kept in the derived fonts: ASCII, Latin-1, Latin Extended-A/B, combining marks,
#: Latin Extended Additional (Vietnamese), punctuation, currency (₫), letterlike, arrows, maths, shapes.
FONT_RANGES: tuple[tuple[int, int], ...] = (
    (0x20, 0x7E), (0xA0, 0x24F), (0x2B0, 0x2FF), (0x300, 0x36F), (0x1E00, 0x1EFF),
    (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x215F), (0x2190, 0x21FF),
    (0x2200, 0x22FF), (0x25A0, 0x25FF), (0x2713, 0x2714),
)
FONT_FACES: dict[str, int] = {"fonts/NotoSans-Regular.ttf": 400, "fonts/NotoSans-Bold.ttf": 700}
STATIC_ASSETS: tuple[str, ...] = ("css/print.css", "js/search.js")

_lock = threading.Lock()
_memory: dict[str, bytes] = {}


def asset_names() -> tuple[str, ...]:
    return (*STATIC_ASSETS, *FONT_FACES)


def _source_font() -> Path:
    try:
        import fontpkg_noto_sans
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise QmsError(_("the fontpkg-noto-sans package is not installed"),
                       hint="pip install fontpkg-noto-sans") from exc
    import fnmatch
    from importlib import resources

    # the dependency's own package data, like ours: read through importlib.resources
    root = resources.files(fontpkg_noto_sans.__name__) / "files"
    candidates = sorted(Path(str(p)) for p in root.iterdir()
                        if fnmatch.fnmatchcase(p.name, "NotoSans[[]*.ttf") and "Italic" not in p.name)
    if not candidates:  # pragma: no cover
        raise QmsError(_("no Noto Sans TTF found in the fontpkg-noto-sans package ({name})").format(name=root.name))
    return candidates[0]


def font_area() -> CacheArea:
    """The cache folder of the derived fonts (shared by every repository)."""
    override = os.environ.get("QMS_RENDER_FONT_DIR")
    return shared_area("fonts", Path(override) if override else None)


def font_dir(root: Path | None = None) -> Path:
    """Where the derived fonts are cached (``root`` is not used: the fonts are not per repository)."""
    return font_area().directory


def _font_key(source: Path) -> str:
    st = source.stat()
    h = hashlib.blake2b(digest_size=8)
    h.update(f"{FONT_RECIPE}\0{source.name}\0{st.st_size}".encode())
    return h.hexdigest()


#: Glyphs Noto Sans lacks, composed from its own: (code point, new glyph, upper part); the lower bar is "minus"
_COMPOSED = ((0x2265, "uni2265", "greater"), (0x2264, "uni2264", "less"))


def _add_comparison_glyphs(font: Any) -> None:
    """Give the font "≥" and "≤" (targets print "≥ 98%") as composites of ">"/"<" raised over a "−".

    Noto Sans has no glyph for them; without one WeasyPrint falls back to whatever the host has (or
    nothing), and the PDF would embed a host font."""
    from fontTools.ttLib.tables._g_l_y_f import Glyph, GlyphComponent  # type: ignore[import-untyped]

    tags = list(font.keys())
    for tag in tags:  # read every table while the glyph count is still the file's
        table: Any = font[tag] if tag != "GlyphOrder" else None
        if table is not None and hasattr(table, "ensureDecompiled"):
            table.ensureDecompiled()
    glyf, hmtx = font["glyf"], font["hmtx"]
    cmap = font.getBestCmap()
    order = list(font.getGlyphOrder())
    for code, name, upper in _COMPOSED:
        if code in cmap or upper not in glyf or "minus" not in glyf or name in order:
            continue
        glyph = Glyph()
        glyph.numberOfContours = -1
        glyph.components = []
        for part, dy in ((upper, 60), ("minus", -250)):
            comp = GlyphComponent()
            comp.glyphName, comp.x, comp.y, comp.flags = part, 0, dy, 0x0002 | 0x0004  # XY values, round to grid
            glyph.components.append(comp)
        order.append(name)
        font.setGlyphOrder(order)
        glyf.glyphOrder = order
        glyf[name] = glyph
        glyph.recalcBounds(glyf)
        hmtx[name] = hmtx[upper]
        if "gvar" in font:  # the parts vary with the weight; the composite itself adds no variation
            font["gvar"].variations[name] = []
        if "HVAR" in font:  # the advance varies with the weight as the upper part's does
            hvar = font["HVAR"].table
            for mapping in (hvar.AdvWidthMap, getattr(hvar, "LsbMap", None), getattr(hvar, "RsbMap", None)):
                if mapping is not None and upper in mapping.mapping:
                    mapping.mapping[name] = mapping.mapping[upper]
        for table in font["cmap"].tables:
            if table.isUnicode():
                table.cmap[code] = name


def _derive_fonts(source: Path) -> dict[str, bytes]:
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
    from fontTools.varLib.instancer import instantiateVariableFont  # type: ignore[import-untyped]

    base = TTFont(source)
    _add_comparison_glyphs(base)
    # 'ccmp' decomposes precomposed letters such as "ị" into base + mark glyphs; WeasyPrint then
    # maps the base glyph to the wrong text and pdftotext loses every later "i". The text is NFC,
    # so precomposed glyphs are all that is needed. Ligatures ("ff", "fi") are dropped for the same
    # reason: whole embedded fonts carry no text mapping for them.
    features = sorted({rec.FeatureTag for tag in ("GSUB", "GPOS") if tag in base
                       for rec in base[tag].table.FeatureList.FeatureRecord} - {"ccmp", "liga", "clig", "dlig"})
    opts = subset.Options(layout_features=features, name_IDs=["*"], name_languages=["*"],
                          notdef_outline=True, hinting=False)
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=[c for a, b in FONT_RANGES for c in range(a, b + 1)])
    subsetter.subset(base)
    out: dict[str, bytes] = {}
    for name, weight in FONT_FACES.items():
        import io

        buf = io.BytesIO()
        base.save(buf)
        face = TTFont(io.BytesIO(buf.getvalue()))
        axes = {a.axisTag for a in face["fvar"].axes} if "fvar" in face else set()
        location = {k: v for k, v in (("wght", weight), ("wdth", 100)) if k in axes}
        if location:
            face = instantiateVariableFont(face, location, static=True)
        data = io.BytesIO()
        face.save(data)
        out[name] = data.getvalue()
    return out


def prepare_fonts(root: Path | None = None) -> Path:
    """Make sure the derived fonts are in memory and in the cache; return the cache folder."""
    area = font_area()
    with _lock:
        if all(name in _memory for name in FONT_FACES):
            return area.directory
        source = _source_font()
        key = _font_key(source)
        entries = {name: f"{key}-{Path(name).name}" for name in FONT_FACES}
        found = {name: area.read(entry) for name, entry in entries.items()}
        if any(data is None for data in found.values()):
            derived = _derive_fonts(source)
            for name, entry in entries.items():
                area.write(entry, derived[name])
            _memory.update(derived)
        else:
            _memory.update({name: data for name, data in found.items() if data is not None})
    return area.directory


def asset_bytes(name: str, root: Path | None) -> bytes:
    """The bytes of a named package asset; unknown names raise ``KeyError``."""
    if name in _memory:
        return _memory[name]
    if name in STATIC_ASSETS:
        data = (resources.files("qms.render") / "assets" / name).read_bytes()
    elif name in FONT_FACES:
        prepare_fonts(root)
        return _memory[name]
    else:
        raise KeyError(name)
    _memory[name] = data
    return data
