"""The follow-up cards of an officer's home page: open fever alerts, missed check-ins today."""

from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.areas import Todo, bounded_count

from . import services


def fever_alerts(user) -> Todo:
    alerts = services.open_alerts(user)
    count, more = bounded_count(alerts)
    oldest = alerts.order_by("reported_at").values_list("reported_at", flat=True).first()
    note = ""
    if oldest is not None:
        note = _("最早一条 %(time)s") % {"time": timezone.localtime(oldest).strftime("%m-%d %H:%M")}
    return Todo(count=count, more=more, note=note)


def missed_today(user) -> Todo:
    count, more = bounded_count(
        services.missed(services.followed_orders(user), timezone.localdate())
    )
    return Todo(count=count, more=more)
