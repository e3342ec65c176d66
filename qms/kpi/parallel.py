"""Classifying one large CSV log with several processes, with results identical to one process.

The data rows after the header are cut into byte ranges at line boundaries;
each worker (a forked copy of the :class:`Classifier`, so it already knows the
dossier ids of earlier files) reads its range in blocks, decodes them as UTF-8
(so bad bytes are still refused) and classifies the rows with the same hot
loop. A file is split only when every row is exactly one line: no quote
character, no NUL and no bare carriage return; otherwise (or when the
platform cannot fork) the caller reads it in one process.

"First occurrence wins" stays exact: a worker reports the dossier ids it
claimed; an id claimed in an earlier range as well turns the later row into a
duplicate, and that worker (asked in a second round) says which category and
group the row had been counted in so that the count is taken back.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice, pairwise, repeat
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from qms.errors import QmsError
from qms.i18n import _
from qms.kpi.classify import OUT_OF_PERIOD, Classifier, Counts, Duplicate, RejectedRow, iter_rows_of
from qms.kpi.columns import ColumnMap

#: Files smaller than this are read in one process (forking costs more than it saves).
MIN_PARALLEL_BYTES = 8 << 20
_BLOCK = 8 << 20
_HEAD = 1 << 20
_TAG_MASK = 0xFFFFFFFFFF


class _NotSplittable(Exception):
    """A block holds a quote, NUL or bare CR: rows may span lines, so the file is read in one process."""


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@dataclass(slots=True)
class _Plan:
    delimiter: str
    crlf: bool
    bom: int


def _plan(path: Path) -> _Plan | None:
    """Encoding, delimiter and line ends judged from the head; None when the file must be read whole."""
    from qms.store.dossier_logs import _sniff_delimiter, detect_encoding

    with path.open("rb") as fh:
        head = fh.read(_HEAD)
    encoding = detect_encoding(path, head)
    if encoding not in ("utf-8", "utf-8-sig") or b'"' in head or b"\x00" in head:
        return None
    bom = 3 if encoding == "utf-8-sig" else 0
    cut = head.rfind(b"\n")
    if cut < 0:
        return None
    try:
        text = head[bom : cut + 1].decode("utf-8")
    except UnicodeDecodeError:
        return None  # the one-process reader reports it with its row
    crlf = "\r\n" in text
    if (crlf and text.count("\r") != text.count("\n")) or (not crlf and "\r" in text):
        return None
    return _Plan(_sniff_delimiter(text), crlf, bom)


def _split(path: Path, start: int, size: int, workers: int) -> list[tuple[int, int]]:
    """``workers`` ranges of [start, size) ending at line ends; the first slightly shorter
    (the parent merges its result while the others finish)."""
    span = size - start
    weights = [0.94] + [1.0] * (workers - 1)
    total = sum(weights)
    bounds = [start]
    acc = 0.0
    with path.open("rb") as fh:
        for w in weights[:-1]:
            acc += w
            fh.seek(max(start + int(span * acc / total), bounds[-1]))
            fh.readline()
            bounds.append(min(fh.tell(), size))
    bounds.append(size)
    return [(a, b) for a, b in pairwise(bounds) if b > a]


class _Blocks:
    """The decoded lines of [start, end), one list per block; ``n`` counts the lines handed out.

    Raises _NotSplittable (a row could span lines) or UnicodeDecodeError."""

    def __init__(self, path: Path, start: int, end: int, crlf: bool) -> None:
        self.path, self.start, self.end, self.crlf = path, start, end, crlf
        self.n = 0

    def __iter__(self) -> Iterator[list[str]]:
        sep = "\r\n" if self.crlf else "\n"
        with self.path.open("rb") as fh:
            fh.seek(self.start)
            pos = self.start
            carry = b""
            while pos < self.end:
                block = carry + fh.read(min(_BLOCK, self.end - pos))
                pos = fh.tell()
                if pos < self.end:
                    cut = block.rfind(b"\n") + 1
                    block, carry = block[:cut], block[cut:]
                else:
                    carry = b""
                if b'"' in block or b"\x00" in block:
                    raise _NotSplittable
                lines = block.decode("utf-8").split(sep)
                if self.crlf:
                    n_lf = block.count(b"\n")
                    if block.count(b"\r") != n_lf or len(lines) - 1 != n_lf:
                        raise _NotSplittable
                elif b"\r" in block:
                    raise _NotSplittable
                if not lines[-1]:
                    lines.pop()
                self.n += len(lines)
                yield lines


class _ChunkStream:
    def __init__(self, path: str, rows: Iterator[list[str]]) -> None:
        self.path = path
        self.rows = rows

    def line(self) -> int:  # pragma: no cover - the chunk loop counts lines itself
        return 0


def _worker(conn: Connection, clf: Classifier, path: Path, start: int, end: int, crlf: bool, delimiter: str,
            cmap: ColumnMap, file_no: int, track: bool) -> None:
    """Runs in a forked child: classify one range, report, then answer the duplicate round."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops the workers
    try:
        seen_before = len(clf._seen)
        clf.counts = Counts()
        clf.groups = {}
        clf._raw_groups = {}
        clf.rejected = []
        clf.duplicates = []
        clf.rows_read = 0
        clf.out_of_period = 0
        clf._claims = [] if track else None
        clf._gclaims = []
        counter = _Blocks(path, start, end, crlf)
        rows = map(str.split, chain.from_iterable(counter), repeat(delimiter))
        try:
            clf._consume(_ChunkStream(str(path), rows), cmap, file_no, line_base=0)
        except _NotSplittable:
            conn.send(("unsplittable", None))
            return
        except UnicodeDecodeError as exc:
            conn.send(("decode", (counter.n + 1, exc.encoding, exc.reason)))  # the block's first line
            return
        ids = list(islice(clf._seen, seen_before, None))
        tags = list(islice(clf._seen.values(), seen_before, None))
        conn.send(("ok", {
            "lines": counter.n,
            "counts": clf.counts.values,
            "groups": {k: v.values for k, v in clf.groups.items()},
            "rejected": [(r.row, r.reason, r.dossier_id) for r in clf.rejected],
            "duplicates": [(d.dossier_id, d.row, d.first_path, d.first_row, clf._seen[d.dossier_id] >> 40 == file_no)
                           for d in clf.duplicates],
            "rows_read": clf.rows_read,
            "out_of_period": clf.out_of_period,
            "ids": "\n".join(ids),
            "lines_of": array("q", [t & _TAG_MASK for t in tags]),
        }))
        # second round: which category and group did these (later-duplicate) ids count in?
        wanted = conn.recv()
        answer: dict[str, tuple[int, str | None]] = {}
        if wanted and clf._claims is not None:
            keys = {id(v.values): k for k, v in clf.groups.items()}
            want = set(wanted)
            for i, dossier in enumerate(ids):
                if dossier in want:
                    g = clf._gclaims[i]
                    answer[dossier] = (clf._claims[i], None if g is None else keys[id(g)])
        conn.send(answer)
    except BaseException as exc:  # pragma: no cover - reported to the parent, which re-raises
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def add_file_parallel(clf: Classifier, path: Path, workers: int | None = None, *, last_file: bool = True,
                      min_bytes: int = MIN_PARALLEL_BYTES) -> bool:
    """Classify ``path`` into ``clf`` with worker processes; False (nothing read) when it
    must be read in one process instead."""
    n = workers or default_workers()
    if n < 2 or not can_fork() or clf._series or clf.series_names:
        return False
    size = path.stat().st_size
    if size < min_bytes:
        return False
    plan = _plan(path)
    if plan is None:
        return False
    # the header, found exactly as the one-process reader finds it
    with path.open("rb") as fh:
        head = fh.read(_HEAD)
    text = head[plan.bom : head.rfind(b"\n") + 1].decode("utf-8")
    sep = "\r\n" if plan.crlf else "\n"
    head_lines = text.split(sep)[:-1]
    stream = iter_rows_of([ln.split(plan.delimiter) for ln in head_lines], str(path))
    cmap = clf._find_header(stream)
    header_line = cmap.header_row
    data_start = plan.bom + sum(len(ln.encode("utf-8")) + len(sep) for ln in head_lines[:header_line])
    ranges = _split(path, data_start, size, n)
    if not ranges:
        return False
    file_no = len(clf.files)
    clf.files.append(str(path))
    ctx = multiprocessing.get_context("fork")
    procs: list[tuple[Any, Connection]] = []
    try:
        for i, (a, b) in enumerate(ranges):
            parent_end, child_end = ctx.Pipe()
            p = ctx.Process(target=_worker, args=(child_end, clf, path, a, b, plan.crlf, plan.delimiter, cmap,
                                                  file_no, i > 0), daemon=True)
            p.start()
            child_end.close()
            procs.append((p, parent_end))
        results = []
        for _p, conn in procs:
            try:
                status, payload = conn.recv()
            except EOFError:
                status, payload = "error", "worker ended unexpectedly"
            results.append((status, payload))
        for status, payload in results:
            if status == "unsplittable":
                _finish(procs)
                clf.files.pop()
                return False
            if status == "decode":
                _finish(procs)
                from qms.store.dossier_logs import not_utf8_error

                row, encoding, reason = payload
                raise not_utf8_error(path, row, encoding, reason)
            if status != "ok":
                _finish(procs)
                raise QmsError(_("a worker process failed: {reason}").format(reason=payload),
                               _("rerun with --workers 1"))
        _merge(clf, path, file_no, header_line, results, procs, last_file)
    except KeyboardInterrupt:
        for p, _conn in procs:
            p.kill()
        raise
    finally:
        _finish(procs)
    return True


def _finish(procs: list[tuple[Any, Connection]]) -> None:
    for p, conn in procs:
        # a worker that reported "ok" waits for the duplicate round; closing our end does not wake it
        # (later workers inherited a copy of it when they were forked), so tell it there is nothing to do
        if p.is_alive():
            with contextlib.suppress(OSError, ValueError):
                conn.send([])
        with contextlib.suppress(OSError):
            conn.close()
        p.join(timeout=30)
        if p.is_alive():  # pragma: no cover
            p.kill()
            p.join()


def _merge(clf: Classifier, path: Path, file_no: int, header_line: int, results: list[tuple[str, Any]],
           procs: list[tuple[Any, Connection]], last_file: bool) -> None:
    spath = str(path)
    base = header_line
    bases = []
    for _s, r in results:
        bases.append(base)
        base += r["lines"]
    prior: set[str] = set()
    firsts: list[list[str]] = []
    all_dups: list[Duplicate] = []
    for j, (_s, r) in enumerate(results):
        b = bases[j]
        ids = r["ids"].split("\n") if r["ids"] else []
        for i, v in enumerate(r["counts"]):
            clf.counts.values[i] += v
        for key, vals in r["groups"].items():
            g = clf.groups.get(key)
            if g is None:
                g = clf.groups[key] = Counts()
            for i, v in enumerate(vals):
                g.values[i] += v
        clf.rejected.extend(RejectedRow(spath, row + b, reason, did) for row, reason, did in r["rejected"])
        clf.rows_read += r["rows_read"]
        clf.out_of_period += r["out_of_period"]
        dups = [Duplicate(did, spath, row + b, fpath, frow + b if here else frow)
                for did, row, fpath, frow, here in r["duplicates"]]
        common = prior.intersection(ids) if j and prior else set()
        conn = procs[j][1]
        conn.send(sorted(common))
        answer: dict[str, tuple[int, str | None]] = conn.recv()
        if common:
            first_line = _first_lines(common, firsts, results, bases)
            lines_of = r["lines_of"]
            for i, did in enumerate(ids):
                if did in common:
                    cat, key = answer[did]
                    if cat == OUT_OF_PERIOD:
                        clf.out_of_period -= 1
                    else:
                        clf.counts.values[cat] -= 1
                        if key is not None:
                            clf.groups[key].values[cat] -= 1
                    dups.append(Duplicate(did, spath, lines_of[i] + b, spath, first_line[did]))
            # later repeats inside this range pointed at the row that is now a duplicate
            dups = [Duplicate(d.dossier_id, d.path, d.row, d.first_path, first_line[d.dossier_id])
                    if d.dossier_id in common and d.first_path == spath else d for d in dups]
            dups.sort(key=lambda d: d.row)
        all_dups.extend(dups)
        firsts.append(ids)
        if j < len(results) - 1:
            prior.update(ids)
        if not last_file:
            tag = file_no << 40
            seen = clf._seen
            for did, ln in zip(ids, r["lines_of"], strict=True):
                if did not in common:
                    seen[did] = tag | (ln + b)
    clf.duplicates.extend(all_dups)
    for key in [k for k, g in clf.groups.items() if not any(g.values)]:
        del clf.groups[key]


def _first_lines(common: set[str], firsts: list[list[str]], results: list[tuple[str, Any]],
                 bases: list[int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for j, ids in enumerate(firsts):
        lines_of = results[j][1]["lines_of"]
        for i, did in enumerate(ids):
            if did in common and did not in out:
                out[did] = lines_of[i] + bases[j]
    return out


__all__ = ["add_file_parallel", "can_fork", "default_workers"]
