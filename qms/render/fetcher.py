"""A WeasyPrint URL fetcher that only serves package assets and regular files inside the repository.

WeasyPrint's default fetcher follows ``file://`` and network URLs: ``<link rel=attachment
href=file:///etc/passwd>`` would embed that file in the PDF. :class:`SafeFetcher` refuses every
URL except ``qms-asset:NAME`` (a known package asset) and ``file:`` URLs that resolve, after
symlinks, to a regular file inside the repository root and outside ``.git``.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from qms.render.assets import SCHEME, asset_bytes
from qms.store.images import check_image
from qms.store.limits import current
from qms.store.safe_open import FileRefused, read_bounded

_TYPES = {".css": "text/css", ".ttf": "font/ttf", ".svg": "image/svg+xml", ".png": "image/png"}


class RefusedURL(ValueError):
    """A URL the fetcher does not serve (WeasyPrint logs it and leaves the resource out)."""


class SafeFetcher(URLFetcher):  # type: ignore[misc]
    """Serve ``qms-asset:`` names and files inside ``root``; refuse everything else."""

    def __init__(self, root: Path | None, **kwargs: Any) -> None:
        super().__init__(allowed_protocols=("qms-asset", "file"), allow_redirects=False, **kwargs)
        self.root = root.resolve() if root is not None else None
        self.refused: list[str] = []
        self.served: list[str] = []

    def _refuse(self, url: str, why: str) -> RefusedURL:
        self.refused.append(url)
        return RefusedURL(f"{why}: {url[:200]}")

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith(SCHEME):
            name = unquote(url[len(SCHEME):]).lstrip("/")
            try:
                data = asset_bytes(name, self.root)
            except KeyError:
                raise self._refuse(url, "unknown package asset") from None
            self.served.append(url)
            return URLFetcherResponse(url, data, {"Content-Type": _TYPES.get(Path(name).suffix,
                                                                              "application/octet-stream")})
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "only package assets and repository files may be fetched")
        if self.root is None:
            raise self._refuse(url, "no repository root: files may not be fetched")
        try:
            path = Path(url2pathname(unquote(parts.path))).resolve(strict=True)
            rel = path.relative_to(self.root)
        except (OSError, ValueError):
            raise self._refuse(url, "the file is outside the repository") from None
        if ".git" in rel.parts or not path.is_file():
            raise self._refuse(url, "not a regular repository file")
        content_type = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        try:  # bounded: regular file, size from fstat; images by pixel count, SVG without external references
            data = read_bounded(path, current().image_size, "image_size", self.root)
            if content_type.startswith("image/"):
                check_image(path, data, current(), rel.as_posix())
        except FileRefused as exc:
            raise self._refuse(url, exc.message) from None
        self.served.append(url)
        return URLFetcherResponse(url, data, {"Content-Type": content_type})
