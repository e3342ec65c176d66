"""Shared value types: bilingual text, durations, people references, the document control block."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from qms.i18n import _, translate

if TYPE_CHECKING:  # only `qms schema` builds JSON Schemas; keep pydantic.json_schema off the start-up path
    from pydantic import GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import CoreSchema

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
Identifier = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=80)]


#: The UTC offsets in use on Earth run from -12:00 (Baker Island) to +14:00 (Line Islands).
MIN_UTC_OFFSET_MINUTES = -12 * 60
MAX_UTC_OFFSET_MINUTES = 14 * 60


def utc_offset_minutes(sign: str, hours: str, minutes: str = "0") -> int | None:
    """The offset ``sign hours:minutes`` in minutes, or None when no time zone has it.

    Minutes must be below 60 and the offset within -12:00 .. +14:00; ``+99:00``, ``+13:60`` and
    ``-13:00`` are refused rather than wrapped into a plausible-looking zone.
    """
    h, m = int(hours), int(minutes or "0")
    if m >= 60:
        return None
    total = (h * 60 + m) * (-1 if sign == "-" else 1)
    if not MIN_UTC_OFFSET_MINUTES <= total <= MAX_UTC_OFFSET_MINUTES:
        return None
    return total


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


NFCStr = Annotated[str, BeforeValidator(_nfc)]


class Strict(BaseModel):
    """Base for every model: unknown fields are errors, strings are NFC."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=False, defer_build=True)


class Text(Strict):
    """Text in Vietnamese and English. A plain string is accepted and used for both."""

    vi: NFCStr = ""
    en: NFCStr = ""

    @model_validator(mode="before")
    @classmethod
    def _from_plain(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"vi": value, "en": value}
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Text:
        if not self.vi.strip() and not self.en.strip():
            raise ValueError(_("text must not be empty: give `vi` and `en`"))
        return self

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        obj = handler(core_schema)
        obj = handler.resolve_ref_schema(obj)
        return {"anyOf": [{"type": "string", "minLength": 1}, obj],
                "description": "Text in Vietnamese and English ({vi: ..., en: ...}), or one string for both"}

    def get(self, lang: str) -> str:
        if lang == "vi":
            return self.vi or self.en
        return self.en or self.vi

    @property
    def bilingual(self) -> bool:
        return bool(self.vi.strip()) and bool(self.en.strip())


_DURATION_RE = re.compile(
    r"^\s*(?:(?P<days>\d+(?:[.,]\d+)?)\s*(?:d|day|days|ngày|wd|working days?)\s*)?"
    r"(?:(?P<hours>\d+(?:[.,]\d+)?)\s*(?:h|hr|hrs|hour|hours|giờ)\s*)?$",
    re.IGNORECASE,
)
# a limit written in calendar days (some laws count them): `15cd`, `15 calendar days`, `15 ngày lịch`
_CALENDAR_DAYS_RE = re.compile(r"^\s*(?P<n>\d+)\s*(?:cd|calendar days?|ngày lịch)\s*$", re.IGNORECASE)


_DURATION_JSON_PATTERN = (
    r"^\s*([0-9]+([.,][0-9]+)?\s*([dD]|days?|ngày|wd|working days?)\s*)?"
    r"([0-9]+([.,][0-9]+)?\s*([hH]|hrs?|hours?|giờ)\s*)?$"
    r"|^\s*[0-9]+\s*([cC][dD]|calendar days?|ngày lịch)\s*$"
)


class Duration(Strict):
    """A span of working time, kept as working days plus working hours, or a whole number of calendar days.

    Written in YAML as ``2d``, ``0.5d``, ``4h`` or ``1d 4h`` (also ``2 ngày``, ``4 giờ``), or ``15cd``
    (``15 calendar days``, ``15 ngày lịch``) for a limit the law writes in calendar days.
    """

    days: float = 0.0
    hours: float = 0.0
    calendar_days: int = Field(default=0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(_("a duration is text such as `2d`, `0.5d` or `4h`, not true/false"))
        if isinstance(value, int | float):
            raise ValueError(_("write the unit: `{value}d` for working days or `{value}h` for working hours").format(value=value))
        if isinstance(value, str):
            text = unicodedata.normalize("NFC", value)
            cd = _CALENDAR_DAYS_RE.match(text)
            if cd is not None:
                return {"calendar_days": int(cd.group("n"))}
            m = _DURATION_RE.match(text)
            if not text.strip() or m is None or (m.group("days") is None and m.group("hours") is None):
                raise ValueError(_("cannot read duration {value!r}; write `2d`, `0.5d`, `4h`, `1d 4h` or `15cd` "
                                   "(calendar days)").format(value=value))
            days = float((m.group("days") or "0").replace(",", "."))
            hours = float((m.group("hours") or "0").replace(",", "."))
            return {"days": days, "hours": hours}
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {"type": "string", "pattern": _DURATION_JSON_PATTERN,
                "description": "Working time: 2d, 0.5d, 4h or 1d 4h; or calendar days: 15cd",
                "examples": ["2d", "4h", "1d 4h", "15cd"]}

    def in_days(self, hours_per_day: float = 8.0) -> float:
        """Working days. A calendar-day span counts the working days it holds at least (weekends of two days,
        holidays ignored): 15 calendar days hold at least 10 working days."""
        if self.calendar_days:
            return float(min_working_days(self.calendar_days))
        return self.days + self.hours / hours_per_day

    def __str__(self) -> str:
        if self.calendar_days:
            return f"{self.calendar_days}cd"
        parts = []
        if self.days:
            parts.append(f"{self.days:g}d")
        if self.hours:
            parts.append(f"{self.hours:g}h")
        return " ".join(parts) or "0d"


def min_working_days(calendar_days: int, weekend_days: int = 2) -> int:
    """The fewest working days any run of ``calendar_days`` consecutive days holds (holidays ignored)."""
    weeks, rest = divmod(calendar_days, 7)
    return weeks * (7 - weekend_days) + max(0, rest - weekend_days)


class Signatory(Strict):
    """Someone who prepares, reviews or approves a document."""

    name: NFCStr
    title: Text | None = None
    role: Identifier | None = None
    date: dt.date | None = None


class RevisionEntry(Strict):
    """A row of the revision history (Theo dõi sửa đổi)."""

    revision: int = Field(ge=0)
    date: dt.date
    summary: Text
    pages: str = ""
    by: NFCStr = ""


class Approval(Strict):
    """An approval recorded through ``qms doc approve``."""

    revision: int = Field(ge=0)
    as_: Literal["reviewer", "approver"] = Field(alias="as")
    by: NFCStr
    date: dt.date

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Distribution(Strict):
    """One holder of copies of a controlled document (ISO 9001:2015 7.5.3.2 a: distribution)."""

    to: NFCStr = Field(description="A unit, role or person id, or the name of an outside holder")
    copies: int = Field(default=1, ge=1, le=999, description="Number of controlled copies held")


class DocumentControl(Strict):
    """The control block of a controlled document (Mã hiệu, Lần ban hành, Ngày hiệu lực ...)."""

    code: NFCStr
    revision: int = Field(default=1, ge=0, description="Lần ban hành / issue number")
    issued_on: dt.date | None = Field(
        default=None, description="Ngày ban hành / date issued (signed); required once the document is issued")
    effective_date: dt.date | None = None
    state: Literal["draft", "in_review", "approved", "obsolete"] = "approved"
    prepared_by: Signatory | None = None
    reviewed_by: Signatory | None = None
    approved_by: Signatory | None = None
    review_interval_months: int | None = Field(default=None, ge=1, le=120)
    last_review: dt.date | None = None
    history: list[RevisionEntry] = Field(default_factory=list)
    approvals: list[Approval] = Field(default_factory=list)
    distribution: list[Distribution] = Field(
        default_factory=list, description="Nơi nhận / who holds controlled copies (7.5.3.2 a), printed on the cover")


class InternalNote(Strict):
    """A note for the people who keep a document: never printed in an issued document.

    Verification status, research notes and drafting remarks go here, not into issued text;
    ``qms render ... --drafts`` prints them in a box headed "Internal notes" under the draft watermark.
    """

    kind: Literal["verification", "research", "drafting", "other"] = "other"
    about: NFCStr = Field(default="", description="What the note concerns, e.g. a field path or a code")
    text: Text
    from_import: bool = Field(
        default=False,
        description="Written by `qms import`: something to check in the draft (a placeholder, a unit to "
                    "confirm, text that mapped to no field). `qms doc approve` refuses while such notes remain: "
                    "check the field, then delete the note")


_RETENTION_KEYS = ("years", "months", "permanent", "until_superseded")


class Retention(Strict):
    """How long a record is kept (7.5.3.2): years, months, permanently, until superseded,
    or N years / months after an event.

    Written ``permanent``, ``until_superseded``, ``{years: 5}``, ``{months: 6}`` or
    ``{years: 10, after: {vi: hết hiệu lực, en: expiry}}``.
    """

    years: int | None = Field(default=None, ge=1, le=200)
    months: int | None = Field(default=None, ge=1, le=2400)
    permanent: bool = False
    until_superseded: bool = False
    after: Text | None = Field(default=None, description="The event the period runs from, e.g. 'hết hiệu lực'")

    @model_validator(mode="before")
    @classmethod
    def _keyword(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() in ("permanent", "until_superseded"):
            return {value.strip(): True}
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Retention:
        given = [k for k in _RETENTION_KEYS if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(_("give exactly one of `years`, `months`, `permanent` or `until_superseded`"))
        if self.after is not None and given[0] not in ("years", "months"):
            raise ValueError(_("`after` goes with `years` or `months` only"))
        return self

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        obj = handler(core_schema)
        obj = handler.resolve_ref_schema(obj)
        return {"anyOf": [{"enum": ["permanent", "until_superseded"]}, obj],
                "description": "Retention: permanent, until_superseded, {years: N}, {months: N}, "
                               "optionally with after: EVENT"}

    def text(self, lang: str) -> str:
        """The period in ``lang``: "5 năm", "Vĩnh viễn", "10 years after expiry"."""
        if self.permanent:
            return translate("Permanent", lang)
        if self.until_superseded:
            return translate("Until superseded", lang)
        if self.years is not None:
            period = translate("{n} year" if self.years == 1 else "{n} years", lang).format(n=self.years)
        else:
            period = translate("{n} month" if self.months == 1 else "{n} months", lang).format(n=self.months)
        if self.after is not None:
            return translate("{period} after {event}", lang).format(period=period, event=self.after.get(lang))
        return period

    def to_yaml(self) -> str:
        """The flow-style YAML of this value (what a fix writes)."""
        if self.permanent:
            return "permanent"
        if self.until_superseded:
            return "until_superseded"
        key, n = ("years", self.years) if self.years is not None else ("months", self.months)
        if self.after is None:
            return f"{{{key}: {n}}}"
        vi, en = (q.replace("'", "''") for q in (self.after.vi, self.after.en))
        return f"{{{key}: {n}, after: {{vi: '{vi}', en: '{en}'}}}}"


_RET_UNIT = r"(?P<unit>years?|yrs?|y|năm|months?|tháng)"
#: "Lưu 05 năm", "Lưu trữ 10 năm": how Vietnamese records tables write a period
_RET_PERIOD = re.compile(r"^(?:for\s+|lưu(?:\s+trữ|\s+giữ)?\s+)?(?P<n>\d{1,4})\s*" + _RET_UNIT + r"$", re.IGNORECASE)
_RET_AFTER = re.compile(r"^(?P<n>\d{1,4})\s*" + _RET_UNIT + r"\s+(?:after|sau khi|sau)\s+(?P<event>\S.*)$",
                        re.IGNORECASE)
_RET_PERMANENT = frozenset({"permanent", "permanently", "indefinitely"})
#: "Vĩnh viễn", "Lưu giữ vĩnh viễn", "Vô thời hạn": how Vietnamese records tables write a record kept for good;
#: "Lâu dài", "Lưu trữ lâu dài" mostly mean the same, but older archival practice used "lâu dài" for a long
#: finite term: read as permanent, not exactly (a person confirms)
_RET_KEEP_VI = r"^(?:lưu(?:\s+trữ|\s+giữ)?\s+)?"
_RET_PERMANENT_VI = re.compile(_RET_KEEP_VI + r"(?:vĩnh\s+viễn|vô\s+thời\s+hạn)$")
_RET_LONG_TERM_VI = re.compile(_RET_KEEP_VI + r"lâu\s+dài$")
_RET_SUPERSEDED = frozenset({"until superseded", "until_superseded", "until replaced", "đến khi được thay thế",
                             "đến khi thay thế", "đến khi có văn bản thay thế"})


def parse_retention_text(text: str) -> tuple[Retention, bool] | None:
    """The structured form of an old free-text retention, and whether reading it was unambiguous.

    "5 years", "5 năm", "6 months", "permanent", "vĩnh viễn" and "until superseded" are read exactly;
    "lâu dài" is read as permanent, not exactly (older archival practice meant a long finite term by it);
    "10 năm sau khi hết hiệu lực" keeps its event in one language only, so it is not unambiguous.
    None: the text says something else.
    """
    value = " ".join(unicodedata.normalize("NFC", text).split()).strip().rstrip(".")
    low = value.lower()
    if low in _RET_PERMANENT or _RET_PERMANENT_VI.match(low):
        return Retention(permanent=True), True
    if _RET_LONG_TERM_VI.match(low):
        return Retention(permanent=True), False
    if low in _RET_SUPERSEDED:
        return Retention(until_superseded=True), True
    m = _RET_PERIOD.match(value)
    after: Text | None = None
    exact = True
    if m is None:
        m = _RET_AFTER.match(value)
        if m is None:
            return None
        after, exact = Text(vi=m.group("event"), en=m.group("event")), False
    n = int(m.group("n"))
    if n < 1:
        return None
    unit = m.group("unit").lower()
    try:
        if unit.startswith(("m", "t")):
            return Retention(months=n, after=after), exact
        return Retention(years=n, after=after), exact
    except ValueError:
        return None


def recorded_now() -> dt.datetime:
    """The moment a history entry or record is written: to the second, with the local time zone."""
    return dt.datetime.now().astimezone().replace(microsecond=0)
