#!/usr/bin/env python3
"""Benchmark `qms render manual` on a generated agency (bench/generate.py).

    python bench/bench_render.py --processes 240

Every figure is a whole process (interpreter start, loading, rendering, writing), run one after
the other on the same machine:

* full render with --jobs 1 (cold render cache): pages/s and peak memory;
* plain WeasyPrint rendering the same content as one HTML document: the HTML is the manual with
  every procedure inlined (`single_manual_html`, same templates, CSS and @font-face fonts), laid
  out with the same fetcher and written with the same option qms uses (`full_fonts=True`, the
  derived fonts embedded whole); the HTML is produced before timing starts and the timed process
  is only "import weasyprint, lay out, write": target ratio qms / plain <= 1.15;
* full render with --jobs 2: target speed-up >= 1.7x over --jobs 1;
* re-render after editing one procedure: target <= 5 % of the full render.

Each command runs ``--runs`` times (3 by default), interleaved; the figures are medians of the wall
and of the CPU seconds (the process and its workers).

The derived fonts are built once before timing (they are cached across runs).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable

PLAIN = """
import sys
from pathlib import Path
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from qms.render.fetcher import SafeFetcher
root = Path(sys.argv[1])
doc = HTML(filename=sys.argv[2], base_url=root.as_uri() + "/", url_fetcher=SafeFetcher(root))
doc.write_pdf(sys.argv[3], font_config=FontConfiguration(), full_fonts=True)
"""

SINGLE = """
import sys
from pathlib import Path
from qms.render.documents import load_for_render, single_manual_html
root = Path(sys.argv[1])
Path(sys.argv[2]).write_text(single_manual_html(load_for_render(root), sys.argv[3]), encoding="utf-8")
"""


CPU: dict[str, float] = {}


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], cwd: Path, label: str = "") -> float:
    """Wall time of one whole process; its CPU time (with its workers) is kept in CPU[label]."""
    cpu0 = _child_cpu()
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    CPU[label] = _child_cpu() - cpu0
    return wall


def peak_child_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(pdf)).pages)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--processes", type=int, default=240)
    ap.add_argument("--lang", default="vi", choices=["vi", "en"])
    ap.add_argument("--work", type=Path, default=None, help="working directory (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the working directory")
    ap.add_argument("--runs", type=int, default=3, help="runs of each command; figures are medians")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="qms-bench-render-"))
    repo = work / "agency"
    if repo.exists():
        shutil.rmtree(repo)
    subprocess.run([PY, str(HERE / "generate.py"), "--processes", str(args.processes), "--out", str(repo)],
                   check=True, stdout=subprocess.DEVNULL)
    os.environ.setdefault("QMS_RENDER_FONT_DIR", str(work / "fonts"))
    qms = [PY, "-m", "qms", "render", "manual", "--lang", args.lang, "--no-progress"]
    from qms.store.cache_dir import base_dir, repository_id

    cache = base_dir() / "repos" / repository_id(repo) / "render"
    subprocess.run([PY, "-c", "from qms.render.assets import prepare_fonts; prepare_fonts(None)"], check=True)

    def full(jobs: int, out: Path) -> float:
        shutil.rmtree(cache, ignore_errors=True)
        return run([*qms, "-o", str(out), "--jobs", str(jobs)], repo, f"j{jobs}")

    out1, out2, out_inc = work / "manual-j1.pdf", work / "manual-j2.pdf", work / "manual-inc.pdf"
    single_html, plain_pdf = work / "single.html", work / "plain.pdf"
    subprocess.run([PY, "-c", SINGLE, str(repo), str(single_html), args.lang], check=True)
    victim = sorted((repo / "processes").glob("*.yaml"))[len(list((repo / "processes").glob("*.yaml"))) // 2]
    original = victim.read_text(encoding="utf-8")
    walls: dict[str, list[float]] = {k: [] for k in ("j1", "plain", "j2", "inc")}
    cpus: dict[str, list[float]] = {k: [] for k in walls}
    n_pages, mem1 = 0, 0.0
    for i in range(args.runs):  # interleaved, so that a change of machine speed hits every command alike
        walls["j1"].append(full(1, out1))
        cpus["j1"].append(CPU["j1"])
        mem1 = max(mem1, peak_child_mib())
        n_pages = pages(out1)
        walls["plain"].append(run([PY, "-c", PLAIN, str(repo), str(single_html), str(plain_pdf)], repo, "plain"))
        cpus["plain"].append(CPU["plain"])
        walls["j2"].append(full(2, out2))
        cpus["j2"].append(CPU["j2"])
        # incremental: the cache is warm from the --jobs 2 run; a real content change to one procedure
        victim.write_text(original.replace(
            "definitions: []", f"definitions: [{{term: BR{i}, meaning: {{vi: Sửa đổi thử {i}, en: Benchmark edit {i}}}}}]"),
            encoding="utf-8")
        if "BR" not in victim.read_text(encoding="utf-8"):
            with victim.open("a", encoding="utf-8") as fh:
                fh.write(f"definitions:\n  - {{term: BR{i}, meaning: {{vi: Sửa đổi thử {i}, en: Benchmark edit {i}}}}}\n")
        walls["inc"].append(run([*qms, "-o", str(out_inc), "--jobs", "1"], repo, "inc"))
        cpus["inc"].append(CPU["inc"])
        victim.write_text(original, encoding="utf-8")
    w = {k: statistics.median(v) for k, v in walls.items()}
    c = {k: statistics.median(v) for k, v in cpus.items()}
    t1, t_plain, t2, t_inc = w["j1"], w["plain"], w["j2"], w["inc"]

    print(f"procedures: {args.processes}   pages: {n_pages}   lang: {args.lang}   cpus: {os.cpu_count()}   "
          f"medians of {args.runs} runs")
    print(f"full render --jobs 1:     {t1:8.2f} s   {n_pages / t1:6.2f} pages/s   peak RSS {mem1:7.1f} MiB")
    print(f"plain WeasyPrint (1 doc): {t_plain:8.2f} s   ratio qms/plain = {t1 / t_plain:.3f}   (target <= 1.15)")
    print(f"full render --jobs 2:     {t2:8.2f} s   speed-up = {t1 / t2:.2f}x   (target >= 1.7x)")
    print(f"re-render after 1 edit:   {t_inc:8.2f} s   share of full = {100 * t_inc / t1:.1f} %   (target <= 5 %)")
    print(f"peak RSS of any child process: {peak_child_mib():.1f} MiB")
    print("CPU seconds (less sensitive to other load on the machine): "
          f"jobs1 {c['j1']:.1f}, plain {c['plain']:.1f} (ratio {c['j1'] / c['plain']:.3f}), "
          f"jobs2 {c['j2']:.1f}, incremental {c['inc']:.1f} ({100 * c['inc'] / c['j1']:.1f} %)")
    for k in walls:
        print(f"  runs {k:<6} wall {', '.join(f'{x:.1f}' for x in walls[k])}   cpu {', '.join(f'{x:.1f}' for x in cpus[k])}")
    print(f"load average after the run: {os.getloadavg()[0]:.1f}")
    if not args.keep and args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
