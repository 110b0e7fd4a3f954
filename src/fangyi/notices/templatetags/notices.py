"""The notices block of the portal's first screen: `{% load notices %}{% resident_notices holder %}`."""

from django import template

from fangyi.notices import services

register = template.Library()

# The first screen shows the latest few; the rest are one tap away.
SHOWN = 3


@register.inclusion_tag("notices/portal/_block.html")
def resident_notices(holder):
    notices = list(services.resident_notices(holder).order_by("-published_at", "-id")[:SHOWN])
    reads = services.reads_of(holder, [notice.pk for notice in notices])
    return {"items": [(notice, reads.get(notice.pk)) for notice in notices]}
