"""QMS0xx: loading and schema. The loader finds these problems; these rules report them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from qms.diagnostics import Applicability, Diagnostic, Fix, Location, Severity
from qms.i18n import N_, _
from qms.rules.base import CheckContext, Rule
from qms.store.workspace import SchemaProblem
from qms.store.yaml_io import LoadProblem


class _ProblemRule(Rule):
    """Reports the loader's problems of the given kinds (from ``load_problems`` or ``schema_problems``)."""

    kinds: ClassVar[tuple[str, ...]] = ()
    schema: ClassVar[bool] = False
    text: ClassVar[bool] = False  # the loader's non-fatal notes about the text (``text_problems``)
    # When the loader knows the edits that resolve a problem, the diagnostic carries them as a fix.
    fix_applicability: ClassVar[Applicability | None] = None
    fix_message: ClassVar[str] = ""

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc in ctx.workspace.docs:
            problems: list[LoadProblem | SchemaProblem] = list(
                doc.text_problems if self.text else doc.schema_problems if self.schema else doc.load_problems)
            for p in problems:
                if p.kind not in self.kinds:
                    continue
                related = getattr(p, "related", ())
                fix = (Fix(self.fix_applicability, _(self.fix_message), p.edits)
                       if self.fix_applicability is not None and p.edits else None)
                yield Diagnostic(
                    code=self.code, name=self.name, severity=self.severity, message=p.message,
                    location=Location(doc.path, p.line, p.column, p.pointer), subject=doc.path,
                    clauses=self.clauses, hint=p.hint,
                    related=tuple(Location(doc.path, m.line, m.column) for m in related), fix=fix,
                )


class _LoadRule(_ProblemRule):
    schema = False


class _SchemaRule(_ProblemRule):
    schema = True


class YamlSyntax(_LoadRule):
    """A file is not valid YAML, is empty, or holds more than one document.

    What it checks:
    The file parses as exactly one YAML document whose top level is a mapping.

    Why:
    A file that cannot be read is documented information that is not available (7.5.3.1).

    Example:
    ```yaml
    title: Birth registration: commune
    ```

    Fix:
    Quote values that contain `: `: `title: "Birth registration: commune"`.
    """

    code = "QMS001"
    name = "yaml-syntax"
    clauses = ("7.5.3.1",)
    kinds = ("syntax", "empty", "tag", "depth", "too-large")


class DuplicateKey(_LoadRule):
    """A mapping defines the same key twice.

    What it checks:
    No key appears twice in one mapping. PyYAML silently keeps the last one.

    Why:
    A silently dropped value is lost documented information (7.5.2).

    Example:
    ```yaml
    id: QT-HT-01
    id: QT-HT-02
    ```

    Fix:
    Delete one of the entries, or merge them.
    """

    code = "QMS002"
    name = "duplicate-key"
    clauses = ("7.5.2",)
    kinds = ("duplicate-key",)


class Encoding(_LoadRule):
    """A file is not UTF-8 text.

    What it checks:
    Every file decodes as UTF-8 (a byte-order mark is allowed).

    Why:
    Vietnamese text saved as Windows-1258, TCVN3 or UTF-16 is unreadable elsewhere (7.5.3.1).

    Example:
    A procedure saved by an old editor in Windows-1258.

    Fix:
    Re-save the file as UTF-8.
    """

    code = "QMS003"
    name = "file-encoding"
    clauses = ("7.5.3.1",)
    kinds = ("encoding",)


class AliasLimit(_LoadRule):
    """YAML aliases expand to an unreasonable size (an alias bomb).

    What it checks:
    Anchors and aliases (`&a`, `*a`) expand to fewer than 200,000 values.

    Why:
    A "billion laughs" file would exhaust memory in any tool that reads it.

    Example:
    ```yaml
    a: &a [x, x, x, x, x, x, x, x, x]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    ```

    Fix:
    Write the data out; qms files do not need anchors.
    """

    code = "QMS004"
    name = "alias-limit"
    kinds = ("alias-limit",)


class Yaml11Surprise(_SchemaRule):
    """An unquoted value was read by YAML 1.1 as a boolean or a number.

    What it checks:
    A value that fails its schema because YAML read `no`, `on`, `yes` as a boolean or `1.10` as 1.1.

    Why:
    The recorded value silently differs from what the author wrote (7.5.2).

    Example:
    ```yaml
    clauses: [7.1, 8.5.1]
    ```

    Fix:
    Quote it: `clauses: ["7.1", "8.5.1"]`. `qms check --fix` quotes it for you (a safe fix: the
    schema wants text, so the quoted value is what the author meant).
    """

    code = "QMS005"
    name = "yaml11-surprise"
    clauses = ("7.5.2",)
    kinds = ("yaml11",)
    fix_applicability = Applicability.SAFE
    fix_message = N_("quote the value")


class Unreadable(_LoadRule):
    """A file cannot be read, or is a link that leaves the repository.

    What it checks:
    Every repository file can be opened and lies inside the repository.

    Why:
    Documented information must be available where needed (7.5.3.1).

    Example:
    `processes/QT-01.yaml` is a symbolic link to `/etc/passwd`.

    Fix:
    Copy the file into the repository, or fix its permissions.
    """

    code = "QMS006"
    name = "file-unreadable"
    clauses = ("7.5.3.1",)
    kinds = ("io",)


class TextNotNfc(_LoadRule):
    """Text is written with combining accents (Unicode NFD) instead of precomposed letters (NFC).

    What it checks:
    Every line of every file is in Unicode Normalization Form C, the form Vietnamese keyboards and
    almost every tool write.

    Why:
    `Hồ sơ` typed with combining accents looks identical but is a different string: searches, sorting,
    duplicate checks and the 2008-term matcher see two different words (7.5.2, 7.5.3.1).

    Example:
    A title pasted from a PDF or a Mac tool, with `ồ` stored as `o` + U+0302 + U+0300.

    Fix:
    Re-save the text in NFC. `qms check --fix` normalises the line (a safe fix: the text reads the
    same, only its encoding changes).
    """

    code = "QMS007"
    name = "text-not-nfc"
    severity = Severity.WARNING
    clauses = ("7.5.2",)
    kinds = ("not-nfc",)
    text = True
    fix_applicability = Applicability.SAFE
    fix_message = N_("normalise the text to NFC")


class SchemaType(_SchemaRule):
    """A value has the wrong type or an invalid value.

    What it checks:
    Every value matches the schema of its file kind (see `qms schema`).

    Why:
    Records and documents that do not follow their structure cannot be controlled (7.5.2).

    Example:
    ```yaml
    kind: main
    ```

    Fix:
    Use one of the allowed values: `kind: core`.
    """

    code = "QMS010"
    name = "schema-invalid-value"
    clauses = ("7.5.2",)
    kinds = ("type",)


class UnknownField(_SchemaRule):
    """A mapping has a field the schema does not know.

    What it checks:
    No unknown fields; the hint suggests the field you probably meant.

    Why:
    A misspelt field is silently ignored information (7.5.2).

    Example:
    ```yaml
    purpse: {vi: ..., en: ...}
    ```

    Fix:
    Rename it: `purpose:`.
    """

    code = "QMS011"
    name = "schema-unknown-field"
    clauses = ("7.5.2",)
    kinds = ("unknown-field",)


class MissingField(_SchemaRule):
    """A required field is missing.

    What it checks:
    Every required field of the file kind is present.

    Why:
    Incomplete documented information (7.5.2).

    Example:
    A process without `owner:`.

    Fix:
    Add the field.
    """

    code = "QMS012"
    name = "schema-missing-field"
    clauses = ("7.5.2",)
    kinds = ("missing-field",)


class NoManifest(Rule):
    """The repository's qms.yaml could not be loaded, so system-level rules were skipped.

    What it checks:
    `qms.yaml` loads without errors.

    Why:
    Scope (4.3), policy (5.2) and objectives (6.2) live there.

    Example:
    A `qms.yaml` with a syntax error.

    Fix:
    Fix the errors reported for `qms.yaml` first.
    """

    code = "QMS013"
    name = "manifest-unusable"
    severity = Severity.WARNING
    clauses = ("4.3",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        doc = ctx.workspace.manifest_doc
        if doc is not None and doc.model is None:
            yield self.at(doc, "", _("qms.yaml has errors; rules that need the organisation were skipped"),
                          hint=_("fix the other findings in qms.yaml"))


RULES: tuple[type[Rule], ...] = (
    YamlSyntax, DuplicateKey, Encoding, AliasLimit, Yaml11Surprise, Unreadable, TextNotNfc,
    SchemaType, UnknownField, MissingField, NoManifest,
)
