"""The lifecycle as a hypothesis state machine: every command either follows the 10.2.1 table or is
refused with nothing written, and the record on disk always validates and explains its own status."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from nc_helpers import load_nc

from qms.errors import InvalidTransition
from qms.models.nonconformity import TRANSITIONS
from qms.registers import nc as reg
from qms.rules.base import CheckContext
from qms.rules.nonconformity import HistoryInconsistent
from qms.store.workspace import load_workspace

BASE = Path(__file__).resolve().parent.parent / "rules" / "base"


class Lifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="nc-sm-"))
        self.root = self.tmp / "repo"
        shutil.copytree(BASE, self.root)
        self.day = dt.date(2026, 3, 2)
        self.expected = ""
        self.steps = 0
        self.nc_id = ""

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    @property
    def path(self) -> Path:
        return self.root / "records/nonconformities" / f"{self.nc_id}.yaml"

    @initialize()
    def create(self) -> None:
        nc = reg.create_nc(self.root, process="QT-01", title="t", description="d", source="complaint",
                           severity="minor", by="an", today=self.day)
        self.nc_id, self.expected, self.steps = nc.id, "open", 1

    def _attempt(self, name: str, call: Any, outcome: str | None = None) -> None:
        self.day += dt.timedelta(days=1)
        before = self.path.read_bytes()
        allowed = self.expected in TRANSITIONS[name]
        try:
            result = call()
        except InvalidTransition:
            assert not allowed, f"{name} refused from {self.expected}"
            assert self.path.read_bytes() == before
            return
        assert allowed, f"{name} accepted from {self.expected}"
        targets = TRANSITIONS[name][self.expected]
        assert result.status in targets
        if outcome is not None:
            assert result.status == outcome
        self.expected = result.status
        self.steps += 1

    @rule()
    def correct(self) -> None:
        self._attempt("correct", lambda: reg.correct(self.root, self.nc_id, description="c", by="an",
                                                     today=self.day))

    @rule(method=st.sampled_from(["five-why", "fishbone"]))
    def analyse(self, method: str) -> None:
        self._attempt("analyse", lambda: reg.analyse(
            self.root, self.nc_id, method=method, whys=["w1", "w2"], fishbone={"method": ["m"]},
            root_cause="r", similar="s", by="an", today=self.day))

    @rule(days=st.integers(min_value=1, max_value=15))
    def plan(self, days: int) -> None:
        self._attempt("plan", lambda: reg.plan(self.root, self.nc_id, action="x", owner="chu_tich", due=days, by="an",
                                               today=self.day))

    @rule()
    def implement(self) -> None:
        self._attempt("implement", lambda: reg.implement(self.root, self.nc_id, by="an", today=self.day),
                      "implemented")

    @rule(effective=st.booleans())
    def verify(self, effective: bool) -> None:
        self._attempt("verify", lambda: reg.verify(self.root, self.nc_id, effective=effective, evidence="e",
                                                   by="an", today=self.day),
                      "verified" if effective else "contained")

    @rule()
    def close(self) -> None:
        self._attempt("close", lambda: reg.close(self.root, self.nc_id, by="an", today=self.day))

    @rule()
    def reject(self) -> None:
        self._attempt("reject", lambda: reg.reject(self.root, self.nc_id, reason="not an NC", by="an",
                                                   today=self.day))

    @rule()
    def reopen(self) -> None:
        self._attempt("reopen", lambda: reg.reopen(self.root, self.nc_id, reason="again", by="an",
                                                   today=self.day))

    @invariant()
    def file_is_valid_and_explains_its_status(self) -> None:
        if not self.nc_id:
            return
        record = load_nc(self.path)
        assert record.status == self.expected
        assert len(record.history) == self.steps
        if record.status == "closed":
            assert record.cause is not None
            assert any(r.effective for r in record.reviews)
        ctx = CheckContext(workspace=load_workspace(self.root), today=self.day)
        assert list(HistoryInconsistent().check(ctx)) == []


Lifecycle.TestCase.settings = settings(max_examples=40, stateful_step_count=20, deadline=None)
TestLifecycle = Lifecycle.TestCase
