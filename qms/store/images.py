"""Bounding images before the renderer decodes them.

A raster image is small on disk and huge decoded (a 40 KB PNG can be 50 000 × 50 000 pixels):
:func:`check_image` reads the dimensions from the header (Pillow opens lazily and decodes
nothing) and refuses more than ``image_pixels``. An SVG is XML that can name other files and
URLs and declare entities: :func:`check_svg` streams it through expat and refuses a DOCTYPE with
declarations and every reference that is not local (``#id``, ``data:`` or a relative path that
stays inside the repository).
"""

from __future__ import annotations

import io
import posixpath
import re
from pathlib import Path
from xml.parsers import expat

from qms.store.limits import Limits
from qms.store.safe_open import FileRefused

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]*)", re.IGNORECASE)
_REF_ATTRS = frozenset({"href", "src", "xlink:href", "http://www.w3.org/1999/xlink href"})


def _refuse(path: str, reason: str, hint: str) -> FileRefused:
    return FileRefused(path, reason, hint, "too-large")


def check_raster(path: str, data: bytes, limits: Limits) -> None:
    """Refuse a PNG/JPEG/GIF/WebP/... whose width × height exceeds ``image_pixels`` (header only)."""
    from PIL import Image, UnidentifiedImageError

    from qms.i18n import _, format_number

    pillow_guard = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # our own limit decides, with the real dimensions in the message
    try:
        with Image.open(io.BytesIO(data)) as image:  # lazy: reads the header, decodes nothing
            width, height = image.size
    except UnidentifiedImageError:  # Pillow's own text names an in-memory object, not the file
        raise FileRefused(path, _("not an image qms can read (a PNG, JPEG or SVG file is expected)"),
                          _("save the image again as PNG or JPEG"), "io") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise FileRefused(path, _("cannot read the image: {reason}").format(reason=exc),
                          _("save the image again as PNG or JPEG"), "io") from None
    finally:
        Image.MAX_IMAGE_PIXELS = pillow_guard
    if width * height > limits.image_pixels:
        raise _refuse(path, _("the image is {width} × {height} pixels, above the limit of {limit} pixels "
                              "(image_pixels); a decompression bomb?").format(
                                  width=format_number(width, digits=0), height=format_number(height, digits=0),
                                  limit=format_number(limits.image_pixels, digits=0)),
                      _("scale the image down; if it is genuine, raise the limit for this run: "
                        "qms --limit image_pixels=N ..."))


def _local_reference(value: str, base: str) -> bool:
    """Whether ``value`` names something inside the SVG, inline data, or a relative repository path."""
    value = value.strip()
    if not value or value.startswith("#"):
        return True
    if value.lower().startswith("data:"):
        return True
    if _SCHEME.match(value) or value.startswith(("/", "\\")):
        return False
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), value.split("#", 1)[0]))
    return not (joined == ".." or joined.startswith("../"))


def check_svg(path: str, data: bytes, rel: str = "") -> None:
    """Refuse an SVG with entity declarations, or with a reference that leaves the file and the
    repository (``http:``, ``file:``, absolute paths, ``..`` out of the root). ``rel`` is the
    file's repository-relative path, against which relative references are resolved."""
    from qms.i18n import _

    hint = _("remove the reference (embed the image or use a path inside the repository) and the DOCTYPE")

    def external(what: str) -> FileRefused:
        return _refuse(path, _("the SVG image refers outside the repository: {what}").format(what=what[:200]), hint)

    def doctype(*_args: object) -> None:
        raise _refuse(path, _("the SVG image declares a DOCTYPE or entities; qms refuses them"), hint)

    def start(tag: str, attrs: dict[str, str]) -> None:
        for name, value in attrs.items():
            if name in _REF_ATTRS or name.endswith((" href", ":href")):
                if not _local_reference(value, rel):
                    raise external(value)
            elif name == "style" or "url(" in value:
                for ref in _CSS_URL.findall(value):
                    if not _local_reference(ref, rel):
                        raise external(ref)

    def pi(target: str, body: str) -> None:
        if target == "xml-stylesheet":
            raise external(body)

    def text(content: str) -> None:
        if "url(" in content or "@import" in content:
            for ref in _CSS_URL.findall(content):
                if not _local_reference(ref, rel):
                    raise external(ref)
            if "@import" in content:
                raise external("@import")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.ExternalEntityRefHandler = lambda *args: doctype()  # type: ignore[assignment]
    parser.StartElementHandler = start
    parser.ProcessingInstructionHandler = pi
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise FileRefused(path, _("the SVG image is not valid XML: {reason}").format(reason=exc),
                          _("save the image again from its editor"), "io") from None


def check_image(path: Path, data: bytes, limits: Limits, rel: str = "") -> None:
    """:func:`check_svg` for ``.svg`` files, :func:`check_raster` for other images."""
    if path.suffix.lower() in (".svg", ".svgz") or data.lstrip()[:5] in (b"<?xml", b"<svg ", b"<svg>"):
        check_svg(str(path), data, rel)
    else:
        check_raster(str(path), data, limits)


def read_repository_image(root: Path, rel: str, limits: Limits) -> bytes:
    """The bytes of the image ``rel`` inside the repository ``root`` (the organisation's logo, copied into
    an HTML site): a regular file inside ``root`` and outside ``.git``, at most ``image_size`` bytes,
    checked like every image the renderer reads (:func:`check_image`); :class:`FileRefused` otherwise."""
    from qms.i18n import _
    from qms.store.safe_open import read_bounded

    base = root.resolve()
    try:
        path = (base / rel).resolve(strict=True)
        inside = path.relative_to(base)
    except (OSError, ValueError):
        raise FileRefused(rel, _("the image is not a file inside the repository"),
                          _("put the logo in the repository and name it by its relative path"), "outside") from None
    if ".git" in inside.parts:
        raise FileRefused(rel, _("the image is not a file inside the repository"),
                          _("put the logo in the repository and name it by its relative path"), "outside")
    data = read_bounded(path, limits.image_size, "image_size", base)
    check_image(path, data, limits, inside.as_posix())
    return data
