"""Fuzz target: the whole ``qms check`` of a one-file repository, through the command line.

The first byte chooses which file of a repository the rest of the input becomes (``qms.yaml``, a
process, an audit, a nonconformity, ...); for every kind but the manifest a minimal valid
``qms.yaml`` sits beside it. ``qms check`` then runs in-process with every output format.

Contract: the command ends with exit code 0, 1 or 2 (findings or a clear error); never exit 3
(an internal error) and never an exception that the command line does not map.
"""

from __future__ import annotations

from pathlib import Path

import click
from _harness import ContractViolation, fresh_dir, instrumented, main, quiet

with instrumented():
    from qms.cli.check import check  # noqa: F401 - imported here so that it is instrumented
    from qms.cli.main import cli
    from qms.errors import QmsError
    from qms.store import workspace  # noqa: F401

# Where the input lands, chosen by its first byte (modulo the number of slots).
SLOTS: tuple[str, ...] = (
    "qms.yaml",
    "processes/QT-FZ-01.yaml",
    "audits/AUD-2026-01.yaml",
    "audits/programme-2026.yaml",
    "records/nonconformities/NC-2026-0001.yaml",
    "records/reviews/MR-2026-01.yaml",
    "records/register.yaml",
)
FORMATS = ("text", "json", "sarif", "github")
MANIFEST = (Path(__file__).resolve().parent / "data" / "minimal-qms.yaml").read_bytes()


def test_one_input(data: bytes) -> None:
    if not data:
        return
    slot = SLOTS[data[0] % len(SLOTS)]
    fmt = FORMATS[(data[0] // len(SLOTS)) % len(FORMATS)]
    root = fresh_dir("repo")
    target = root / slot
    target.parent.mkdir(parents=True, exist_ok=True)
    if slot != "qms.yaml":
        (root / "qms.yaml").write_bytes(MANIFEST)
    target.write_bytes(data[1:])
    args = ["--root", str(root), "check", "--no-cache", "--profile", "strict", "--today", "2026-06-01",
            "--format", fmt]
    code: object = 0
    try:
        with quiet():
            rv = cli.main(args=args, prog_name="qms", standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
    except QmsError as exc:
        code = exc.exit_code
        if not exc.message:
            raise ContractViolation("a QmsError without a message") from exc
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException:
        code = 2
    if code not in (0, 1, 2):
        raise ContractViolation(f"qms check ended with exit code {code!r}")


if __name__ == "__main__":
    main(test_one_input)
