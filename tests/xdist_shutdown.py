"""Why a green ``pytest -n N`` run could end with a KeyboardInterrupt traceback, and the cure.

When the controller has every worker's results it tells each worker's execnet gateway to terminate. A
worker still executing 5 seconds later is sent a SIGINT *by execnet itself* (``os.kill(os.getpid(), 2)``
in ``execnet.gateway_base.WorkerGateway._terminate_execution``). After reporting, a worker still
unconfigures pytest, whose unraisable-exception plugin runs a full ``gc.collect()``: over a heap of
rendered PDFs, fonts with ``__del__`` finalizers and hypothesis's ``gc.callbacks`` (it times every
collection), on a busy two-core machine, that can take longer than 5 seconds. The KeyboardInterrupt then
lands in whatever Python code runs, most often hypothesis's gc callback, and Python prints it as
"Exception ignored in ...". The run is green, yet ends with a traceback, and only sometimes.

A worker has nothing left to interrupt once it has reported, so from then on it ignores SIGINT. A real
Ctrl-C still stops the run: the controller handles it, and a worker stuck for a further 10 seconds is
ended by execnet with ``os._exit``.
"""

from __future__ import annotations

import signal

import pytest


def ignore_late_sigint(config: pytest.Config) -> None:
    """In an xdist worker that has reported its results, ignore SIGINT (see the module docstring)."""
    if hasattr(config, "workerinput"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
