"""Template helpers of the health pages: colour names and texts in the reader's language."""

import datetime

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..models import Colour

register = template.Library()

# An appeal is to be answered within a day; older open ones are flagged to officers.
OVERDUE = datetime.timedelta(hours=24)


def in_english() -> bool:
    return (get_language() or "").startswith("en")


@register.filter
def localized(item, field: str = "name"):
    """A preset's text in the reader's language: `name_en`, `obligations_en`… in English."""
    get = item.get if isinstance(item, dict) else lambda name: getattr(item, name, "")
    if in_english() and get(f"{field}_en"):
        return get(f"{field}_en")
    return get(field)


@register.filter
def colour_name(colour) -> str:
    """绿码 / 黄码 / …; a zone kind that gives no colour (low risk) says so."""
    if not colour:
        return _("不赋码")
    try:
        return str(Colour(colour).label)
    except ValueError:
        return str(colour)
