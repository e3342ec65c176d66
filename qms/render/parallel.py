"""Render many documents, one per worker process (``--jobs N``), each result written to the cache."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
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
    # the HTML again with a shorter first flowchart sheet (qms.render.pdf.html_to_pdf); not pickled
    refit: Callable[[float], str] | None = None


def _run(root: str, job: Job) -> tuple[str, int, tuple[str, ...]]:
    from qms.render.pdf import html_to_pdf

    result = html_to_pdf(job.html, Path(root), attachments=job.attachments, variant=job.variant,
                         tagged=job.tagged, refit=job.refit)
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


def _stop(signum: int, frame: object) -> None:
    from qms.store.atomic import discard_pending

    discard_pending()  # no temp file of a cache write is left behind
    os._exit(128 + signum)


def _worker_init() -> None:
    """Ctrl-C reaches the whole process group: only the parent handles it (it prints one line and
    terminates the pool); a worker ignores it, and leaves cleanly on the pool's SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)


_FORKED_JOBS: Sequence[Job] = ()
_FORKED_ROOT = ""


def _run_forked(index: int) -> tuple[str, int, tuple[str, ...]]:
    return _run(_FORKED_ROOT, _FORKED_JOBS[index])


def _run_spawned(args: tuple[str, Job]) -> tuple[str, int, tuple[str, ...]]:
    return _run(*args)


def render_jobs(root: Path, jobs: Sequence[Job], workers: int,
                progress: Progress | None = None,
                on_refused: Callable[[str], None] | None = None,
                while_waiting: Callable[[], None] | None = None) -> dict[str, int]:
    """Render every job (into the cache); returns key → page count.

    With ``workers > 1`` the jobs go to a process pool. Where ``fork`` is available the workers
    inherit the imported WeasyPrint and the job list (only indexes cross the pipe); jobs are handed
    out in small chunks, largest first, so that two workers finish together. ``while_waiting`` runs
    in this process while the workers render (serially, before the jobs, without workers).
    """
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

    workers = min(workers, len(jobs))
    if workers <= 1:
        if while_waiting:
            while_waiting()
        for job in jobs:
            done(*_run(str(root), job))
        return pages
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].html))
    chunk = max(1, min(8, len(jobs) // (workers * 6)))
    if "fork" in multiprocessing.get_all_start_methods():
        global _FORKED_JOBS, _FORKED_ROOT
        import weasyprint  # noqa: F401 - imported once here, inherited by the workers

        _FORKED_JOBS, _FORKED_ROOT = jobs, str(root)
        try:
            with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_init) as pool:
                results = pool.imap_unordered(_run_forked, order, chunksize=chunk)
                if while_waiting:
                    while_waiting()
                for result in results:
                    done(*result)
                # all done: let the workers leave on their own (the pool's exit would SIGTERM them,
                # which an idle worker blocked on the task queue may never act on)
                pool.close()
                pool.join()
        finally:
            _FORKED_JOBS, _FORKED_ROOT = (), ""
        return pages
    with multiprocessing.get_context("spawn").Pool(workers, initializer=_worker_init) as pool:  # pragma: no cover - no fork
        results = pool.imap_unordered(_run_spawned, [(str(root), replace(jobs[i], refit=None)) for i in order], chunksize=chunk)
        if while_waiting:
            while_waiting()
        for result in results:
            done(*result)
        pool.close()
        pool.join()
    return pages
