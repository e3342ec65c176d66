"""Shared value types: bilingual text, durations, people references, the document control block."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from qms.i18n import _

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


_DURATION_JSON_PATTERN = (
    r"^\s*([0-9]+([.,][0-9]+)?\s*([dD]|days?|ngày|wd|working days?)\s*)?"
    r"([0-9]+([.,][0-9]+)?\s*([hH]|hrs?|hours?|giờ)\s*)?$"
)


class Duration(Strict):
    """A span of working time, kept as working days plus working hours.

    Written in YAML as ``2d``, ``0.5d``, ``4h`` or ``1d 4h`` (also ``2 ngày``, ``4 giờ``).
    """

    days: float = 0.0
    hours: float = 0.0

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(_("a duration is text such as `2d`, `0.5d` or `4h`, not true/false"))
        if isinstance(value, int | float):
            raise ValueError(_("write the unit: `{value}d` for working days or `{value}h` for working hours").format(value=value))
        if isinstance(value, str):
            text = unicodedata.normalize("NFC", value)
            m = _DURATION_RE.match(text)
            if not text.strip() or m is None or (m.group("days") is None and m.group("hours") is None):
                raise ValueError(_("cannot read duration {value!r}; write `2d`, `0.5d`, `4h` or `1d 4h`").format(value=value))
            days = float((m.group("days") or "0").replace(",", "."))
            hours = float((m.group("hours") or "0").replace(",", "."))
            return {"days": days, "hours": hours}
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {"type": "string", "pattern": _DURATION_JSON_PATTERN,
                "description": "Working time: 2d, 0.5d, 4h or 1d 4h", "examples": ["2d", "4h", "1d 4h"]}

    def in_days(self, hours_per_day: float = 8.0) -> float:
        return self.days + self.hours / hours_per_day

    def __str__(self) -> str:
        parts = []
        if self.days:
            parts.append(f"{self.days:g}d")
        if self.hours:
            parts.append(f"{self.hours:g}h")
        return " ".join(parts) or "0d"


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


class DocumentControl(Strict):
    """The control block of a controlled document (Mã hiệu, Lần ban hành, Ngày hiệu lực ...)."""

    code: NFCStr
    revision: int = Field(default=1, ge=0, description="Lần ban hành / issue number")
    effective_date: dt.date | None = None
    state: Literal["draft", "in_review", "approved", "obsolete"] = "approved"
    prepared_by: Signatory | None = None
    reviewed_by: Signatory | None = None
    approved_by: Signatory | None = None
    review_interval_months: int | None = Field(default=None, ge=1, le=120)
    last_review: dt.date | None = None
    history: list[RevisionEntry] = Field(default_factory=list)
    approvals: list[Approval] = Field(default_factory=list)


def recorded_now() -> dt.datetime:
    """The moment a history entry or record is written: to the second, with the local time zone."""
    return dt.datetime.now().astimezone().replace(microsecond=0)
