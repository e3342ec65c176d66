"""F1: a cache is never trusted from the repository (issue 19, item 2).

Each attack forges an entry where older versions of qms kept (and trusted) their caches, the
``.qms-cache/`` folder of the working tree, under the key those versions computed; commits it with
``git add -f``; clones the repository; and runs the real ``qms`` in the clone. The out-of-tree cache
is also attacked directly: an entry whose MAC does not verify, and a key file others can read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TODAY = "2026-12-01"  # after every record of the example (QMS512 flags later dates)
PROC = "processes/QT-CT-01.yaml"
NC = "records/nonconformities/NC-2026-0002.yaml"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                          cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of the qms subprocesses: a private cache folder for this test.

    The key is the session's (``tests/conftest.py``), and the derived fonts are shared, so that each
    test does not derive them again; the tests about the key itself use :func:`own_key`.
    """
    out = {k: v for k, v in os.environ.items() if k not in ("QMS_LANG", "QMS_NO_CACHE")}
    out["QMS_LANG"] = "en"  # messages in English (the example organisation writes Vietnamese)
    out["QMS_CACHE_DIR"] = str(tmp_path / "user-cache")
    out["QMS_CACHE_KEY_FILE"] = os.environ["QMS_CACHE_KEY_FILE"]
    out["QMS_RENDER_FONT_DIR"] = os.environ.get("QMS_RENDER_FONT_DIR") or str(
        Path(os.environ["QMS_CACHE_DIR"]) / "fonts")
    return out


def own_key(env: dict[str, str], tmp_path: Path) -> Path:
    """Give this test's qms subprocesses a key file of their own (not created yet)."""
    env["QMS_CACHE_KEY_FILE"] = str(tmp_path / "user-config" / "cache.key")
    return Path(env["QMS_CACHE_KEY_FILE"])


def qms(env: dict[str, str], root: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qms", "--root", str(root), *args], env=env, cwd=root,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A git repository holding the example organisation."""
    root = tmp_path / "origin"
    root.mkdir()
    for name in ("qms.yaml", "processes", "records", "audits"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns(".lock", ".qms-cache"))
        elif src.exists():
            shutil.copy2(src, root / name)
    (root / ".gitignore").write_text(".qms-cache/\n", encoding="utf-8")  # what qms init writes
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "seed")
    return root


def break_procedure(root: Path) -> None:
    path = root / PROC
    text = path.read_text(encoding="utf-8")
    assert "owner: pho_chanh_van_phong\n" in text
    path.write_text(text.replace("owner: pho_chanh_van_phong\n", "owner: nobody_we_know\n", 1), encoding="utf-8")


def commit_forgery_and_clone(origin: Path, tmp_path: Path) -> Path:
    git(origin, "add", "-A")
    git(origin, "add", "-f", ".qms-cache")
    assert git(origin, "ls-files", ".qms-cache").strip()  # the forgery really is in the commit
    git(origin, "commit", "-qm", "pull request")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    assert (clone / ".qms-cache").is_dir()
    return clone


def check_key(root: Path) -> str:
    """The key the check cache gives ``qms check --today TODAY`` in English (what the old code read)."""
    import datetime as dt

    from qms.cli.check import cache_key
    from qms.engine import CheckOptions
    from qms.i18n import use_language

    with use_language("en"):
        return cache_key(root, CheckOptions(select=[], ignore=[], profile=None, paths=[],
                                            today=dt.date.fromisoformat(TODAY)))


def clean_document() -> bytes:
    """A check result that says "no findings"."""
    from qms.diagnostics import Report
    from qms.output.jsonfmt import document

    return json.dumps({**document(Report(files_checked=27)), "config_fail_on": "error"}).encode()


def assert_tracked_warning(stderr: str) -> None:
    assert stderr.count(".qms-cache is tracked by git and is ignored") == 1, stderr
    assert "git rm -r --cached .qms-cache" in stderr


# -- forged entries committed to the repository -------------------------------------------------


def test_committed_check_result_is_not_trusted(origin: Path, tmp_path: Path, env: dict[str, str]) -> None:
    """F1: a forged "no findings" check result committed in .qms-cache/ does not make a broken clone pass."""
    break_procedure(origin)
    key = check_key(origin)
    legacy = origin / ".qms-cache"
    legacy.mkdir()
    (legacy / f"check-{key}.json").write_bytes(clean_document())
    clone = commit_forgery_and_clone(origin, tmp_path)
    assert check_key(clone) == key  # exactly the entry an older qms would have read in the clone

    r = qms(env, clone, "check", "--today", TODAY)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "QMS103" in r.stdout and "nobody_we_know" in r.stdout
    assert_tracked_warning(r.stderr)
    # run again: the (now cached, authentic) result still fails, and the warning is still given
    again = qms(env, clone, "check", "--today", TODAY)
    assert again.returncode == 1 and "QMS103" in again.stdout
    assert_tracked_warning(again.stderr)
    assert (clone / ".qms-cache" / f"check-{key}.json").read_bytes() == clean_document()  # never rewritten


def test_tracked_cache_warning_is_translated(origin: Path, tmp_path: Path, env: dict[str, str]) -> None:
    """F1: the warning about a tracked .qms-cache/ is given in the user's language."""
    (origin / ".qms-cache").mkdir()
    (origin / ".qms-cache" / "nc-index.json").write_text("{}", encoding="utf-8")
    clone = commit_forgery_and_clone(origin, tmp_path)
    r = qms(env, clone, "--lang", "vi", "check", "--today", TODAY)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stderr.count("được git theo dõi và bị bỏ qua") == 1, r.stderr


def test_untracked_legacy_cache_is_not_read_and_not_warned(origin: Path, env: dict[str, str]) -> None:
    """F1: an untracked .qms-cache/ left by an older qms is simply not used (no warning)."""
    break_procedure(origin)
    legacy = origin / ".qms-cache"
    legacy.mkdir()
    (legacy / f"check-{check_key(origin)}.json").write_bytes(clean_document())
    r = qms(env, origin, "check", "--today", TODAY)
    assert r.returncode == 1 and "QMS103" in r.stdout
    assert "tracked by git" not in r.stderr


def test_committed_nc_index_is_not_trusted(origin: Path, tmp_path: Path, env: dict[str, str]) -> None:
    """F1: a forged NC listing index committed in .qms-cache/ does not change what `qms nc list` shows."""
    raw = (origin / NC).read_bytes()
    name = Path(NC).name
    key = f"{name}:{hashlib.blake2b(raw, digest_size=16).hexdigest()}"  # the old index's key
    forged = {
        "file": name, "id": "NC-2026-0002", "status": "closed", "process": "QT-HT-01", "source": "internal_audit",
        "severity": "minor", "clause": "", "title_vi": "FORGED", "title_en": "FORGED", "raised_on": "2026-01-01",
        "closed_on": "2026-01-02", "review_due": "", "next_due": "", "actions": 0, "pending": 0,
    }
    (origin / ".qms-cache").mkdir()
    (origin / ".qms-cache" / "nc-index.json").write_text(
        json.dumps({"version": 2, "entries": {key: forged}}), encoding="utf-8")
    clone = commit_forgery_and_clone(origin, tmp_path)

    r = qms(env, clone, "nc", "list", "--format", "json", "--today", TODAY)
    assert r.returncode == 0, r.stderr
    rows = {row["id"]: row for row in json.loads(r.stdout)}
    assert rows["NC-2026-0002"]["status"] == "planned"
    assert "FORGED" not in r.stdout
    assert_tracked_warning(r.stderr)


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                              timeout=60).stdout.decode("utf-8")
    if os.environ.get("CI") == "true":
        pytest.fail("pdftotext is missing")
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)


def test_committed_render_cache_is_not_trusted(origin: Path, tmp_path: Path, env: dict[str, str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """F1: a forged PDF committed in .qms-cache/render/ under a procedure's render key is not served."""
    from qms.render import cache as render_cache
    from qms.render.documents import RenderOptions, render

    # the keys `qms render procedure QT-CT-01 --lang vi` looks up (what the old code read from the tree)
    monkeypatch.setenv("QMS_CACHE_DIR", env["QMS_CACHE_DIR"])
    monkeypatch.setenv("QMS_RENDER_FONT_DIR", env["QMS_RENDER_FONT_DIR"])
    asked: list[str] = []
    real_pages = render_cache.RenderCache.pages

    def spy(self: render_cache.RenderCache, key: str) -> int | None:
        asked.append(key)
        return real_pages(self, key)

    monkeypatch.setattr(render_cache.RenderCache, "pages", spy)
    render(origin, "procedure", "QT-CT-01", tmp_path / "genuine.pdf", RenderOptions(lang="vi"))
    assert asked
    # the forgery: another procedure's PDF, filed under QT-CT-01's key
    other = tmp_path / "other.pdf"
    r = qms(env, origin, "render", "procedure", "QT-CT-02", "--lang", "vi", "-o", str(other))
    assert r.returncode == 0, r.stderr
    other_text = _pdf_text(other)
    genuine_text = _pdf_text(tmp_path / "genuine.pdf")
    assert "QT-CT-02" in other_text and "QT-CT-02" not in genuine_text
    legacy = origin / ".qms-cache" / "render"
    legacy.mkdir(parents=True)
    for key in set(asked):
        (legacy / f"{key}.pdf").write_bytes(other.read_bytes())
        (legacy / f"{key}.json").write_text(json.dumps({"pages": 1}), encoding="utf-8")
    clone = commit_forgery_and_clone(origin, tmp_path)

    out = tmp_path / "from-clone.pdf"
    r = qms(env, clone, "render", "procedure", "QT-CT-01", "--lang", "vi", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "0 from cache" in r.stdout
    text = _pdf_text(out)
    assert "QT-CT-01" in text and "QT-CT-02" not in text
    assert_tracked_warning(r.stderr)


# -- the out-of-tree cache itself ----------------------------------------------------------------


def _repo_folder(env: dict[str, str], root: Path) -> Path:
    from qms.store.cache_dir import repository_id

    return Path(env["QMS_CACHE_DIR"]) / "repos" / repository_id(root)


def _entry(key: bytes, root: Path, name: str, payload: bytes, sub: str = "") -> bytes:
    """An entry as :class:`qms.store.cache_dir.CacheArea` writes it, MAC'd with ``key``."""
    from qms.store.cache_dir import MAGIC, repository_id

    mac = hmac.new(key, f"repo:{repository_id(root)}:{sub}".encode(), hashlib.sha256)
    mac.update(b"\0" + name.encode() + b"\0")
    mac.update(payload)
    return MAGIC + mac.hexdigest().encode() + b"\n" + payload


def test_cache_lives_outside_the_tree_with_private_modes(origin: Path, env: dict[str, str]) -> None:
    """F1: caches go to the user's cache folder (0700), keyed by the repository's resolved path; key 0600."""
    key_file = own_key(env, origin.parent)
    assert not key_file.exists()
    link = origin.parent / "link-to-origin"
    link.symlink_to(origin)
    assert qms(env, origin, "check", "--today", TODAY).returncode == 0
    assert qms(env, origin, "nc", "list").returncode == 0
    folder = _repo_folder(env, origin)
    assert sorted(p.name for p in folder.iterdir())[-1] == "nc-index.json"
    assert len(list(folder.glob("check-*.json"))) == 1
    for directory in (folder, folder.parent, Path(env["QMS_CACHE_DIR"])):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert len(bytes.fromhex(key_file.read_text().strip())) == 32
    assert not (origin / ".qms-cache").exists()
    assert git(origin, "status", "--porcelain") == ""  # nothing written into the working tree
    # the same repository reached through a symlink shares the folder
    from qms.store.cache_dir import repository_id

    assert repository_id(link) == repository_id(origin)
    assert repository_id(origin.parent / "clone") != repository_id(origin)


def test_entry_with_a_bad_mac_is_ignored_and_replaced(origin: Path, env: dict[str, str]) -> None:
    """F1: an out-of-tree check result whose MAC does not verify is a miss, and is replaced."""
    assert qms(env, origin, "check", "--today", TODAY).returncode == 0  # creates the key and the folder
    break_procedure(origin)
    name = f"check-{check_key(origin)}.json"
    folder = _repo_folder(env, origin)
    good_key = bytes.fromhex(Path(env["QMS_CACHE_KEY_FILE"]).read_text().strip())
    forged = _entry(b"\x01" * 32, origin, name, clean_document())  # MAC'd with a key nobody has
    (folder / name).write_bytes(forged)

    r = qms(env, origin, "check", "--today", TODAY)
    assert r.returncode == 1 and "QMS103" in r.stdout
    stored = (folder / name).read_bytes()
    assert stored != forged
    assert stored == _entry(good_key, origin, name, stored.split(b"\n", 1)[1])  # replaced by an authentic one

    # a well-formed entry under the real key is used: the MAC, not the layout, decides
    (folder / name).write_bytes(_entry(good_key, origin, name, clean_document()))
    assert qms(env, origin, "check", "--today", TODAY).returncode == 0
    # ...and the same payload with one MAC digit changed is not
    tampered = bytearray(_entry(good_key, origin, name, clean_document()))
    pos = len(b"qms-cache-1 ")
    tampered[pos] = ord("0") if tampered[pos] != ord("0") else ord("1")
    (folder / name).write_bytes(bytes(tampered))
    assert qms(env, origin, "check", "--today", TODAY).returncode == 1


def test_render_entry_with_a_bad_mac_is_rendered_again(origin: Path, tmp_path: Path, env: dict[str, str]) -> None:
    """F1: a tampered PDF in the out-of-tree render cache is not served; the document is rendered again."""
    out = tmp_path / "a.pdf"
    r = qms(env, origin, "render", "procedure", "QT-CT-01", "--lang", "vi", "-o", str(out))
    assert r.returncode == 0 and "1 rendered" in r.stdout, r.stdout + r.stderr
    pdfs = list((_repo_folder(env, origin) / "render").glob("*.pdf"))
    assert len(pdfs) == 1
    data = bytearray(pdfs[0].read_bytes())
    data[-200] ^= 0x01  # one bit inside the PDF payload
    pdfs[0].write_bytes(bytes(data))
    again = qms(env, origin, "render", "procedure", "QT-CT-01", "--lang", "vi", "-o", str(out))
    assert again.returncode == 0 and "1 rendered" in again.stdout and "0 from cache" in again.stdout
    third = qms(env, origin, "render", "procedure", "QT-CT-01", "--lang", "vi", "-o", str(out))
    assert "1 from cache" in third.stdout  # the replaced entry is authentic


def test_key_file_readable_by_others_is_replaced(origin: Path, env: dict[str, str]) -> None:
    """F1: a cache key with a loose mode (0644) is not trusted: a warning, a new 0600 key, old entries ignored."""
    key_file = own_key(env, origin.parent)
    assert qms(env, origin, "check", "--today", TODAY).returncode == 0
    leaked = bytes.fromhex(key_file.read_text().strip())
    key_file.chmod(0o644)
    break_procedure(origin)
    name = f"check-{check_key(origin)}.json"
    # someone who read the key forges a result the old key would authenticate
    (_repo_folder(env, origin) / name).write_bytes(_entry(leaked, origin, name, clean_document()))

    r = qms(env, origin, "check", "--today", TODAY)
    assert r.returncode == 1 and "QMS103" in r.stdout
    assert "cache key" in r.stderr and "0644" in r.stderr and "Traceback" not in r.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert bytes.fromhex(key_file.read_text().strip()) != leaked
    quiet = qms(env, origin, "check", "--today", TODAY)
    assert quiet.returncode == 1 and "cache key" not in quiet.stderr


def test_key_file_that_is_not_a_key_or_unwritable(origin: Path, tmp_path: Path, env: dict[str, str]) -> None:
    """F1: a key file that is a symlink or garbage is replaced; a key that cannot be kept only disables reuse."""
    key_file = own_key(env, tmp_path)
    key_file.parent.mkdir(parents=True)
    target = tmp_path / "elsewhere.key"
    target.write_text("00" * 32 + "\n", encoding="utf-8")
    target.chmod(0o600)
    key_file.symlink_to(target)
    r = qms(env, origin, "check", "--today", TODAY)
    assert r.returncode == 0 and "cache key" in r.stderr
    assert not key_file.is_symlink() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert target.read_text() == "00" * 32 + "\n"  # the link's target is left alone

    # the key cannot be written at all: the command still works, with a warning
    blocked = dict(env, QMS_CACHE_KEY_FILE=str(tmp_path / "a-file" / "cache.key"))
    (tmp_path / "a-file").write_text("not a directory", encoding="utf-8")
    break_procedure(origin)
    r = qms(blocked, origin, "check", "--today", TODAY)
    assert r.returncode == 1 and "QMS103" in r.stdout
    assert "cannot keep the cache key" in r.stderr and "Traceback" not in r.stderr


def test_cache_folder_that_cannot_be_created(origin: Path, tmp_path: Path, env: dict[str, str]) -> None:
    """F1: an unusable cache folder never breaks a command: check and render still work."""
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    blocked = dict(env, QMS_CACHE_DIR=str(tmp_path / "a-file" / "cache"))
    r = qms(blocked, origin, "check", "--today", TODAY)
    assert r.returncode == 0, r.stderr
    assert "cannot use the cache folder" in r.stderr and "Traceback" not in r.stderr
    r = qms(blocked, origin, "render", "procedure", "QT-CT-01", "--lang", "vi", "-o", str(tmp_path / "p.pdf"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")


def test_no_cache_writes_nothing(origin: Path, env: dict[str, str]) -> None:
    """`qms check --no-cache` and QMS_NO_CACHE=1 neither read nor write a check result."""
    assert qms(env, origin, "check", "--no-cache", "--today", TODAY).returncode == 0
    assert qms(dict(env, QMS_NO_CACHE="1"), origin, "check", "--today", TODAY).returncode == 0
    assert not list(_repo_folder(env, origin).glob("check-*.json"))


def test_first_use_by_many_processes_makes_one_key(tmp_path: Path, env: dict[str, str]) -> None:
    """F1: the key is created atomically: eight processes starting together all get the one key on disk."""
    key_file = own_key(env, tmp_path)
    code = "from qms.store.cache_dir import cache_key; print(cache_key().hex())"
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(8)]
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _out, err in results]
    assert all(not err for _out, err in results)  # no process found the key untrustworthy
    assert {out.strip() for out, _err in results} == {key_file.read_text().strip()}
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [p.name for p in key_file.parent.iterdir()] == ["cache.key"]  # no temporary file left behind
