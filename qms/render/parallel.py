"""Render many documents, one per worker process (``--jobs N``), each result written to the cache."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from qms.render.cache import RenderCache
from qms.render.pdf import PdfAttachment


@dataclass(frozen=True, slots=True)
class Job:
    key: str
    html: str
    attachments: tuple[PdfAttachment, ...] = ()
    variant: str | None = None
    tagged: bool = False


def _run(root: str, job: Job) -> tuple[str, int, tuple[str, ...]]:
    from qms.render.pdf import html_to_pdf

    result = html_to_pdf(job.html, Path(root), attachments=job.attachments, variant=job.variant,
                         tagged=job.tagged)
    RenderCache(Path(root)).write(job.key, result.data, result.pages)
    return job.key, result.pages, result.refused


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, total: int, label: str, enabled: bool) -> None:
        self.total, self.label, self.enabled, self.done = total, label, enabled and total > 0, 0

    def step(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        width = 30
        filled = int(width * self.done / self.total)
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def render_jobs(root: Path, jobs: Sequence[Job], workers: int,
                progress: Progress | None = None,
                on_refused: Callable[[str], None] | None = None) -> dict[str, int]:
    """Render every job (into the cache); returns key → page count."""
    pages: dict[str, int] = {}
    if not jobs:
        return pages

    def done(key: str, n: int, refused: tuple[str, ...]) -> None:
        pages[key] = n
        if on_refused:
            for url in refused:
                on_refused(url)
        if progress:
            progress.step()

    if workers <= 1 or len(jobs) == 1:
        for job in jobs:
            done(*_run(str(root), job))
        return pages
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx) as pool:
        pending: set[Future[tuple[str, int, tuple[str, ...]]]] = {
            pool.submit(_run, str(root), job) for job in jobs
        }
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                done(*fut.result())
    return pages
