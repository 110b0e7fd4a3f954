"""Checks on identity numbers and phones, shared by forms, the API, imports and the seeder."""

import datetime
import functools
import operator
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import ric

from .models import Gender

# Mainland mobile prefixes in use (MIIT numbering plan): 13x, 145–149, 15x but 154,
# 162/165/166/167, 170–178, 18x, 19x but 194.
MOBILE_RE = re.compile(r"^1(?:3\d|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8\d|9[0-35-9])\d{8}$")


_PHONE_PUNCTUATION = re.compile(r"[\s\-()（）]")


def normalise_phone(phone: str) -> str:
    phone = phone or ""
    if len(phone) == 11 and phone[0] == "1" and phone.isascii() and phone.isdigit():
        return phone  # most phones are written so: an import checks a million
    phone = _PHONE_PUNCTUATION.sub("", phone)
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    return phone


def validate_mobile(phone: str) -> str:
    phone = normalise_phone(phone)
    if not phone.isdigit() or len(phone) != 11:
        raise ValidationError(_("手机号应为11位数字。"), code="phone_length")
    if not MOBILE_RE.match(phone):
        raise ValidationError(
            _("手机号号段无效：%(prefix)s。") % {"prefix": phone[:3]}, code="phone_prefix"
        )
    return phone


@functools.lru_cache(maxsize=8192)
def region_is_known(code: str) -> bool:
    """Whether a six-digit code was ever a county-level region.

    python-stdnum also demands that the county existed in the birth year, but numbers are
    issued where a person lives when registering: someone born in 1950 in today's 鼓楼区
    (code 350102, created 1983) rightly holds a 350102… number.
    """
    info = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    return bool(info.get("county"))


_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
# Summed over the digits' ASCII codes instead of their values: no int() per digit.
_ASCII_ZEROS = ord("0") * sum(_WEIGHTS)
_CLEAN_ID = re.compile(r"[0-9]{17}[0-9X]")


def parse_resident_id(
    number: str, today: datetime.date | None = None
) -> tuple[str, datetime.date, str]:
    """Checks an 18-digit resident ID (GB 11643): checksum, birth date and region code.

    Returns the compact number, the birth date and the gender it encodes. Imports call this
    a million times, so a number that is already clean skips stdnum's general clean-up.
    """
    number = number or ""
    if not _CLEAN_ID.fullmatch(number):
        number = ric.compact(number)
    if len(number) != 18:
        raise ValidationError(_("身份证号应为18位。"), code="id_length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号前17位应为数字，末位为数字或X。"), code="id_format")
    digits = number[:17]
    if digits.isascii():
        total = sum(map(operator.mul, digits.encode(), _WEIGHTS)) - _ASCII_ZEROS
    else:
        total = sum(map(operator.mul, map(int, digits), _WEIGHTS))
    check = (12 - total % 11) % 11
    if number[17] != ("X" if check == 10 else str(check)):
        raise ValidationError(_("身份证号校验位错误。"), code="id_checksum")
    try:
        birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="id_birth_date") from exc
    if birth_date > (today or timezone.localdate()) or birth_date.year < 1880:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="id_birth_date")
    if not region_is_known(number[:6]):
        raise ValidationError(
            _("身份证号中的地区代码 %(code)s 不存在。") % {"code": number[:6]}, code="id_region"
        )
    return number, birth_date, Gender.MALE if int(number[16]) % 2 else Gender.FEMALE


def validate_resident_id(number: str) -> str:
    """Checksum, birth date and region code of an 18-digit resident ID (GB 11643)."""
    return parse_resident_id(number)[0]


def gender_from_resident_id(number: str) -> str:
    return Gender.MALE if int(number[16]) % 2 else Gender.FEMALE


def birth_date_from_resident_id(number: str) -> datetime.date:
    return ric.get_birth_date(number)


def make_resident_id(region_code: str, birth_date: datetime.date, sequence: int) -> str:
    """Builds a well-formed resident ID; the sequence's parity gives the gender (odd: male).

    For synthetic data only (the demo city and fixtures).
    """
    body = f"{region_code[:6]}{birth_date:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


NOTES_MAX_LENGTH = 2000
# What no real name holds: markup (which would only wait for a page that forgets to escape
# it), control characters (Cc), format characters (Cf: bidi overrides and isolates, zero-width
# spaces and joiners, the BOM, soft hyphens, tags), surrogates and private-use code points.
# A character class, not unicodedata per character: a million-row import checks every name.
_NOT_IN_A_NAME = re.compile(
    "[<>\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f\ud800-\udfff\ue000-\uf8ff"
    "\U000f0000-\U000ffffd\U00100000-\U0010fffd]"
)


def validate_name(name: str) -> str:
    """A person's name, trimmed (the ideographic space U+3000 too), or a ValidationError.

    Refused: nothing but spaces, and any character no real name holds: control and format
    characters (right-to-left overrides and other bidi controls, zero-width spaces and
    joiners, a BOM), surrogates and private-use code points, and markup. Used by the services
    (so by the pages and the API), the ledger import and the portal.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写姓名。"), code="blank")
    if _NOT_IN_A_NAME.search(name):
        raise ValidationError(
            _("姓名中有不可见字符、控制字符或尖括号（< >），请删去后再提交。"),
            code="invalid_character",
        )
    return name
