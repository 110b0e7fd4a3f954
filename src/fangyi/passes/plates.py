"""Chinese vehicle plates (GA 36): a province's one-character abbreviation, the issuing
office's letter, then five characters, or six for new-energy vehicles (D or F first for small
ones, last for large ones). I and O are never used, so they are not confused with 1 and 0. A
last character 挂 (trailer), 学 (driving school), 警 (police), 港 or 澳 replaces the fifth."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-HJ-NP-Z"
_PLATE = re.compile(
    rf"[{PROVINCES}][{_LETTER}]"
    rf"(?:[{_LETTER}0-9]{{5}}"
    rf"|[{_LETTER}0-9]{{4}}[挂学警港澳]"
    rf"|[DF][{_LETTER}0-9][0-9]{{4}}"
    rf"|[0-9]{{5}}[DF])"
)
# What people type between the parts: spaces and the middle dot printed on the plate.
_SEPARATORS = re.compile(r"[\s·•・.\-]")


def normalise_plate(text: str) -> str:
    """The plate without separators, in capitals; "" stays "" (a plate is optional)."""
    return _SEPARATORS.sub("", text or "").upper()


def validate_plate(text: str) -> str:
    plate = normalise_plate(text)
    if plate and not _PLATE.fullmatch(plate):
        raise ValidationError(
            _("车牌号格式不对：省份简称、发牌机关字母，再 5 位（新能源车 6 位），如 闽A12345。")
        )
    return plate
