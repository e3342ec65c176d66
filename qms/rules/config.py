"""QMS9xx: configuration and waivers."""

from __future__ import annotations

from collections.abc import Iterator

from qms.diagnostics import Diagnostic
from qms.i18n import _
from qms.rules.base import CheckContext, Rule, find_rule, pointer


class WaiverExpired(Rule):
    """A waiver in `check.waivers` has expired.

    What it checks:
    Every waiver's `expires` date is today or later.

    Why:
    A waiver is a decision with an owner and a time limit; an expired one must be reconsidered (10.2).

    Example:
    ```yaml
    check:
      waivers:
        - {code: QMS402, subject: QT-HT-01, reason: "revision in progress", approver: "Nguyễn Văn A",
           expires: 2024-01-31}
    ```

    Fix:
    Fix the findings it covered, or renew it with a new approver and expiry.
    """

    code = "QMS901"
    name = "waiver-expired"
    clauses = ("10.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        mdoc = ctx.workspace.manifest_doc
        m = ctx.workspace.manifest
        if mdoc is None or m is None:
            return
        for i, w in enumerate(m.check.waivers):
            if w.expires < ctx.today:
                yield self.at(mdoc, pointer("check", "waivers", i, "expires"),
                              _("the waiver for {code} ({reason}) expired on {date}").format(code=w.code, reason=w.reason, date=w.expires.isoformat()),
                              hint=_("fix the findings it covered, or renew it with a new approver and expiry"),
                              subject=w.code)


class WaiverUnknownRule(Rule):
    """A waiver or severity override names a rule that does not exist.

    What it checks:
    Codes in `check.waivers` and `check.severity` exist in the catalogue (`qms rules`).

    Why:
    A mistyped code silently waives nothing.

    Example:
    ```yaml
    check:
      severity: {QMS999: warning}
    ```

    Fix:
    Use a code listed by `qms rules`.
    """

    code = "QMS902"
    name = "config-unknown-rule"
    clauses = ()

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        if not ctx.catalogue:
            return

        def lookup(key: str) -> type[Rule] | None:
            return find_rule(ctx.catalogue, key)

        mdoc = ctx.workspace.manifest_doc
        m = ctx.workspace.manifest
        if mdoc is None or m is None:
            return
        for i, w in enumerate(m.check.waivers):
            if lookup(w.code) is None:
                yield self.at(mdoc, pointer("check", "waivers", i, "code"), _("no rule has code {code}").format(code=w.code),
                              hint=_("run `qms rules` for the list"), subject=w.code)
        for key in m.check.severity:
            if lookup(key) is None:
                yield self.at(mdoc, pointer("check", "severity", key), _("no rule has code or name {code}").format(code=key),
                              hint=_("run `qms rules` for the list"), subject=key, key=True)


RULES: tuple[type[Rule], ...] = (WaiverExpired, WaiverUnknownRule)
