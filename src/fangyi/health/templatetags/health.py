"""Template helpers of the health pages: colour names, texts in the reader's language, and the
home page's warning about appeals left waiting."""

import datetime

from django import template
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fangyi.core.permissions import APPEAL, CHANGE, can

from ..models import Appeal, Colour

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


def overdue_count(user, now: datetime.datetime | None = None) -> int:
    if not can(user, APPEAL, CHANGE):
        return 0
    cutoff = (now or timezone.now()) - OVERDUE
    return (
        Appeal.objects.restrict(user, CHANGE)
        .filter(state=Appeal.State.OPEN, filed_at__lt=cutoff)
        .count()
    )


@register.inclusion_tag("health/_overdue_appeals.html", takes_context=True)
def overdue_appeals(context):
    """{% overdue_appeals %}: a warning banner for officers with appeals waiting over 24 h."""
    return {"count": overdue_count(context["request"].user)}
