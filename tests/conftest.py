"""Shared fixtures: the example organisation, a CLI runner that goes through the real entry point."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from example_repo import copy_example

REPO = Path(__file__).resolve().parents[1]


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """An xdist worker that has reported ignores execnet's shutdown SIGINT (tests/xdist_shutdown.py)."""
    from xdist_shutdown import ignore_late_sigint

    ignore_late_sigint(config)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def pytest_configure(config: pytest.Config) -> None:
    """Messages in English unless a test asks for another language: inside a repository whose
    organisation writes Vietnamese (the example's), qms speaks Vietnamese by default, and most tests
    read English messages. Set here, before any test, so that every subprocess inherits it; a test of
    the default removes it."""
    os.environ["QMS_LANG"] = "en"


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The suite never writes into the real user cache: one cache folder and one key per session."""
    base = tmp_path_factory.mktemp("qms-user-cache")
    saved = {name: os.environ.get(name) for name in ("QMS_CACHE_DIR", "QMS_CACHE_KEY_FILE")}
    os.environ["QMS_CACHE_DIR"] = str(base / "cache")
    os.environ["QMS_CACHE_KEY_FILE"] = str(base / "config" / "cache.key")
    yield base
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def run_qms(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run ``qms`` in-process through ``qms.cli.main.main`` (the console entry point)."""
    from qms.cli.main import main

    def run(*args: str, cwd: Path | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
        out = capsys.readouterr()
        return Result(code, out.out, out.err)

    return run


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A private copy of the example organisation at the repository root."""
    return copy_example(tmp_path / "example")


@pytest.fixture(autouse=True)
def _english_by_default() -> object:
    """`qms --lang vi` run in-process sets the language for the worker; every test starts in English."""
    from qms.i18n import set_language

    set_language("en")
    yield
    set_language("en")


@pytest.fixture(autouse=True)
def _fresh_limits() -> object:
    """Limits and the YAML alias budget are per run; in-process tests each start a fresh run."""
    from qms.store import limits

    limits.reset()
    yield
    limits.reset()


@pytest.fixture(scope="session")
def example_manuals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example organisation's manual as PDF and as Word, in both languages, rendered once per test
    run by the real command on a host with no fonts (tests/fontless.py), from a copy of the example:
    the xdist workers share it (the first to need it renders it under a file lock, the others wait).

    Keys: "manual-vi.pdf", "manual-en.pdf", "manual-vi.docx", "manual-en.docx"."""
    import shutil
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from filelock import FileLock
    from fontless import empty_fontconfig

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / "example-manuals"
    names = ("manual-vi.pdf", "manual-en.pdf", "manual-vi.docx", "manual-en.docx")
    with FileLock(str(shared / "example-manuals.lock")):
        if not (folder / "done").exists():
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir()
            root = copy_example(folder / "example")
            env = empty_fontconfig(folder / "fontconfig")

            def render(name: str) -> subprocess.CompletedProcess[str]:
                stem, kind = name.rsplit(".", 1)
                return subprocess.run([sys.executable, "-m", "qms", "--root", str(root), "render", "manual",
                                       "--format", kind, "--lang", stem.rsplit("-", 1)[1], "-o", str(folder / name)],
                                      capture_output=True, text=True, timeout=600, env=env, check=False)

            with ThreadPoolExecutor(max_workers=2) as pool:
                for name, run in zip(names, pool.map(render, names), strict=True):
                    assert run.returncode == 0 and "Traceback" not in run.stderr, f"{name}: {run.stderr}"
            (folder / "done").write_text("rendered\n", encoding="utf-8")
    return {name: folder / name for name in names}
