"""The command centre's demo history: a snapshot for each of the last 14 days, so that the
screen's sparklines and trends have something to draw. Figures of a day's events (new cases,
samples, releases, deliveries) are counted for that day; figures of a state (colours, open
orders and requests) can only be counted as the data stand now, so the demo's past days
repeat today's state for them."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from fangyi.command import services
from fangyi.command.services import TREND_DAYS


@dataclass
class CommandSeed:
    days: int
    rows: int


def seed_command() -> CommandSeed:
    today = services.today()
    zone = timezone.get_current_timezone()
    rows = 0
    for back in range(TREND_DAYS - 1, -1, -1):
        day = today - datetime.timedelta(days=back)
        end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, zone)
        rows += services.take_snapshot(day=day, now=min(end, timezone.now()))
    return CommandSeed(days=TREND_DAYS, rows=rows)
