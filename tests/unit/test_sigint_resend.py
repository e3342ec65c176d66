"""Ctrl-C inside a destructor is re-sent a moment later (qms/cli/interrupt.py); a re-send still due when
the command ends is settled then, not left to hit the process while it exits."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import signal, sys, time
    import qms.cli.interrupt as interrupt

    class Late:
        def __del__(self):  # WeasyPrint frees fonts in one: the signal arrives here
            interrupt._on_sigint(signal.SIGINT, sys._getframe())

    try:
        with interrupt.reliable_sigint():
            late = Late()
            del late  # the handler schedules the re-send; the command ends before it is due
    except KeyboardInterrupt:
        try:
            time.sleep(0.3)  # longer than the re-send delay
        except KeyboardInterrupt:
            sys.exit(99)  # a second interrupt, after the command had ended
        sys.exit(130)
    sys.exit(0)  # the interrupt was lost
""")


def test_a_re_send_due_after_the_command_ends_is_settled_when_it_ends() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 130, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
