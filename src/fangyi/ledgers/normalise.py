"""Cell values as ledgers write them, made clean: text, headers, ID numbers, phones, dates,
genders, yes/no and fixed choices.

Each parser takes a cell as `reading` yields it (str, int, float, bool, date, datetime or
None; calamine also gives time and timedelta for time-formatted cells) and returns the clean
value or raises `CellError`. An import calls them about fifteen million times, so each one
returns early for a value that is already clean and keeps the rest to translate tables,
precompiled patterns and dict lookups.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

# U+FF01–U+FF5E are the full-width forms of ASCII U+0021–U+007E; U+3000 is the ideographic
# space. Chinese input methods produce them (１０１室, ＡＢ, （注）) wherever a user forgets to
# switch to half-width.
FULL_WIDTH: dict[int, int] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
FULL_WIDTH[0x3000] = 0x20
# str.translate looks up every character of a non-ASCII string (~100 ns a character);
# searching for one that needs it first is ten times faster on the usual clean text.
_HAS_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")

# Every character str.strip() removes (all of them are below U+3001), plus the invisible
# ones that pasting from web pages and Word leaves behind and str.strip() keeps.
BLANK = "".join(chr(code) for code in range(0x3001) if chr(code).isspace()) + (
    "\u200b\u200c\u200d\u2060\ufeff"
)

# Excel's 1900 date system counts a 1900-02-29 that never was (serial 60), so the epoch
# is 1899-12-30 from serial 61 (1900-03-01) on and a day later before it.
_EPOCH = datetime.date(1899, 12, 30)
_FAKE_LEAP_DAY = 60
_MAX_SERIAL = 2958465  # 9999-12-31


class CellError(ValueError):
    """A cell that cannot be read; `message` is a sentence for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _float_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    return repr(value)


def text(value: Any) -> str:
    """Any cell as stripped half-width text; numbers without a spurious ".0", dates in ISO."""
    cls = value.__class__
    if cls is str:
        if value.isascii():
            return value.strip()
        if _HAS_FULL_WIDTH.search(value):
            value = value.translate(FULL_WIDTH)
        return value.strip(BLANK)
    if value is None:
        return ""
    if cls is float:
        return _float_text(value)
    if cls is bool:
        return _("是") if value else _("否")
    if cls is int:
        return str(value)
    if cls is datetime.datetime:
        if not (value.hour or value.minute or value.second or value.microsecond):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if cls is datetime.date or cls is datetime.time:
        return value.isoformat()
    # str.__str__ makes a plain str even of a subclass (SafeString) whose str() is itself.
    return text(str.__str__(str(value)))


# Hints in brackets ("出生日期(yyyy-mm-dd)", "【必填】姓名"); full-width brackets are already
# half-width after text().
def words(value: Any) -> str:
    """Free text (names, notes, region names) as written, only trimmed: its full-width
    punctuation (，（）：) is how Chinese is written, not a typing accident to undo."""
    if value.__class__ is str:
        return value.strip() if value.isascii() else value.strip(BLANK)
    return text(value)


_HEADER_HINT = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
_HEADER_DROP = re.compile(r"[\s*\u200b\u200c\u200d\u2060\ufeff]+")


def header_key(value: Any) -> str:
    """A header cell folded for matching: no bracketed hints, spaces, "*" markers or case."""
    key = text(value)
    if "(" in key or "[" in key or "【" in key:
        key = _HEADER_HINT.sub("", key)
    return _HEADER_DROP.sub("", key).casefold()


_CLEAN_ID = re.compile(r"[0-9]{17}[0-9X]")
_ID_TABLE: dict[int, int | None] = dict(FULL_WIDTH)
_ID_TABLE.update({ord(char): None for char in BLANK})
# How Excel shows a long number in a General cell, and what a CSV saved from it holds.
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E\+\d{2}")
# The largest integer Excel keeps exactly: it stores numbers as doubles shown to 15 digits.
_EXACT_LIMIT = 10**15


def _id_lost_digits() -> CellError:
    return CellError(
        _("证件号码被 Excel 存成了数字，后几位已经丢失；请把该列设为文本格式后重新填写。")
    )


def _unquote(value: str) -> str:
    # Tricks for keeping long numbers as text in Excel and CSV: '350102… and ="350102…".
    if value.startswith("'"):
        return value[1:]
    if value.startswith('="') and value.endswith('"') and len(value) >= 3:
        return value[2:-1]
    return value


def id_number(value: Any) -> str:
    """An identity document number: upper-case, half-width, without spaces; Excel numbers
    are accepted only while all their digits survived."""
    cls = value.__class__
    if cls is str:
        if _CLEAN_ID.fullmatch(value):
            return value
        number = _unquote(value.translate(_ID_TABLE)).upper()
        if _SCIENTIFIC.fullmatch(number):
            raise _id_lost_digits()
        return number
    if value is None:
        return ""
    if cls is float or cls is int:
        if value != value or abs(value) >= _EXACT_LIMIT:
            raise _id_lost_digits()
        if cls is int or value.is_integer():
            return str(int(value))
    return text(value).translate(_ID_TABLE).upper()


_PHONE_TABLE: dict[int, int | None] = dict(_ID_TABLE)
_PHONE_TABLE.update({ord(char): None for char in "-().（）－．‐‑‒–—―"})


def phone(value: Any) -> str:
    """A phone number as digits: separators and a +86, 0086 or 86 country prefix removed."""
    cls = value.__class__
    if cls is str:
        if len(value) == 11 and value.isascii() and value.isdigit():
            return value
        number = _unquote(value.translate(_PHONE_TABLE))
    elif value is None:
        return ""
    elif cls is float or cls is int:
        number = text(value)
    else:
        number = text(value).translate(_PHONE_TABLE)
    size = len(number)
    if size > 11:
        if size == 14 and number.startswith("+86") and number[3:].isdigit():
            return number[3:]
        if size == 15 and number.startswith("0086") and number.isdigit():
            return number[4:]
        if size == 13 and number.startswith("86") and number.isdigit():
            return number[2:]
    return number


_TIME = r"(?:(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_PATTERNS = [
    re.compile(rf"(\d{{4}})([-/.])(\d{{1,2}})\2(\d{{1,2}}){_TIME}", re.ASCII),
    re.compile(rf"(\d{{4}})\s*(年)\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日?{_TIME}", re.ASCII),
    re.compile(rf"(\d{{4}})()(\d{{2}})(\d{{2}}){_TIME}", re.ASCII),
]


def _bad_date(value: Any) -> CellError:
    return CellError(_("无法识别的日期：%(value)s，请写成 2022-03-01。") % {"value": text(value)})


def _ymd(number: int, value: Any) -> datetime.date:
    try:
        return datetime.date(number // 10000, number // 100 % 100, number % 100)
    except ValueError:
        raise _bad_date(value) from None


# A ledger's dates repeat (a million residents have about 30,000 birth dates), and text
# dates are the norm in CSV files.
@functools.lru_cache(maxsize=1 << 16)
def _date_text(value: str) -> datetime.date | None:
    cleaned = text(value)
    if not cleaned:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match:
            year, _sep, month, day = match.groups()
            try:
                return datetime.date(int(year), int(month), int(day))
            except ValueError:
                raise _bad_date(value) from None
    raise _bad_date(value)


def date(value: Any) -> datetime.date | None:
    """A date from an Excel date cell, an Excel serial number, YYYYMMDD, or text such as
    2022-03-01, 2022/3/1, 2022.3.1 or 2022年3月1日 (a time after it is ignored)."""
    cls = value.__class__
    if cls is str:
        if len(value) == 10 and value[4] == "-" and value[7] == "-" and value.isascii():
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        return _date_text(value)
    if cls is datetime.date:
        return value
    if cls is datetime.datetime:
        return value.date()
    if value is None:
        return None
    if cls is float or cls is int:
        # A date typed as 20220301 into a number cell is far above any serial in use.
        if 19000101 <= value <= 21001231 and (cls is int or value.is_integer()):
            return _ymd(int(value), value)
        if 1 <= value <= _MAX_SERIAL:
            serial = int(value)
            if serial > _FAKE_LEAP_DAY:
                return _EPOCH + datetime.timedelta(days=serial)
            if serial < _FAKE_LEAP_DAY:
                return _EPOCH + datetime.timedelta(days=serial + 1)
    elif isinstance(value, datetime.datetime):
        return value.date()
    elif isinstance(value, datetime.date):
        return value
    elif isinstance(value, str):
        return date(str.__str__(value))
    raise _bad_date(value)


_GENDERS = {
    "男": "M",
    "女": "F",
    "男性": "M",
    "女性": "F",
    "m": "M",
    "f": "F",
    "male": "M",
    "female": "F",
    # GB/T 2261.1: 1 male, 2 female (0 "unknown" and 9 "unstated" are not accepted).
    "1": "M",
    "2": "F",
}


def gender(value: Any) -> str:
    """M or F from 男/女, 男性/女性, M/F, male/female (any case) or GB/T 2261.1's 1/2."""
    found = _GENDERS.get(value) if value.__class__ is str else None
    if found:
        return found
    cleaned = text(value)
    if not cleaned:
        return ""
    found = _GENDERS.get(cleaned) or _GENDERS.get(cleaned.casefold())
    if found:
        return found
    raise CellError(_("性别应为“男”或“女”：%(value)s") % {"value": cleaned})


_BOOLEANS = {
    **dict.fromkeys(["是", "有", "y", "yes", "true", "1", "√", "✓", "✔", "对"], True),
    # A cross means "no" in Chinese forms, and "x" is how one types it.
    **dict.fromkeys(["否", "无", "没有", "n", "no", "false", "0", "×", "✗", "✘", "x"], False),
}


def boolean(value: Any) -> bool | None:
    """True for 是/有/Y/yes/true/1/√/对, False for 否/无/N/no/false/0/×/x, None when blank."""
    cls = value.__class__
    if cls is str:
        found = _BOOLEANS.get(value)
        if found is not None:
            return found
        cleaned = text(value)
        if not cleaned:
            return None
        found = _BOOLEANS.get(cleaned.casefold())
        if found is not None:
            return found
        raise CellError(_("应填“是”或“否”：%(value)s") % {"value": cleaned})
    if cls is bool:
        return value
    if value is None:
        return None
    if (cls is int or cls is float) and value in (0, 1):
        return bool(value)
    raise CellError(_("应填“是”或“否”：%(value)s") % {"value": text(value)})


class _Choices:
    __slots__ = ("folded", "given_labels", "labels", "source")

    def __init__(self, mapping: Mapping[str, str], labels: list[str] | None):
        self.source = mapping
        self.given_labels = labels
        self.folded = {header_key(spelling): code for spelling, code in mapping.items()}
        if labels is None:
            seen: dict[str, str] = {}
            for spelling, code in mapping.items():
                seen.setdefault(code, spelling)
            labels = list(seen.values())
        self.labels = "、".join(str(label) for label in labels)

    def __call__(self, value: Any) -> str:
        if value.__class__ is str:
            found = self.source.get(value)
            if found is not None:
                return found
        cleaned = text(value)
        if not cleaned:
            return ""
        found = self.folded.get(header_key(cleaned))
        if found is not None:
            return found
        raise CellError(
            _("无效的取值：%(value)s，可选：%(choices)s")
            % {"value": cleaned, "choices": self.labels}
        )


def choices(mapping: Mapping[str, str], labels: list[str] | None = None) -> Callable[[Any], str]:
    """A parser for one fixed set of values: accepted spellings (matched like headers) → codes."""
    return _Choices(mapping, labels)


# Parsers for the mappings `choice()` has seen, by identity; module-level mappings are the
# norm, and the bound keeps a caller who builds a new dict for every cell from leaking.
_CHOICES: dict[int, _Choices] = {}


def choice(value: Any, mapping: Mapping[str, str], labels: list[str] | None = None) -> str:
    """A code from `mapping` (accepted spelling → code); spellings match like headers."""
    parser = _CHOICES.get(id(mapping))
    # The parser holds the mapping, so its id cannot be reused while it is cached.
    if parser is None or parser.given_labels is not labels:
        if len(_CHOICES) >= 256:
            _CHOICES.clear()
        parser = _CHOICES[id(mapping)] = _Choices(mapping, labels)
    return parser(value)
