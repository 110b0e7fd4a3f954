"""What the markets tests share: a point with its reporter, and reports written through the
service for many days at once."""

import datetime
from decimal import Decimal

from fangyi.markets import services
from fangyi.markets.area import REPORTER
from fangyi.markets.models import Item, today
from tests.factories import staff


def reporter(region, username: str):
    return staff(REPORTER, region, username=username)


def point(actor, region, code: str, reporters=()):
    return services.create_point(
        actor=actor,
        code=code,
        name=f"{region.name}{code}超市",
        kind="supermarket",
        region=region,
        reporters=reporters,
    )


def history(point, item_code: str, prices: list, *, stock=None, sales=None, end=None) -> None:
    """Reports of one item at one point, the last price on `end` (today), one a day back;
    figures and lights recomputed once at the end."""
    end = end or today()
    item = Item.objects.get(code=item_code)
    rows = []
    for n, price in enumerate(reversed(prices)):
        if price is None:
            continue
        day = end - datetime.timedelta(days=n)
        rows.append((point, day, item, Decimal(str(price)), stock, sales))
    services.write_reports(actor=None, rows=rows)
    services.refresh_and_recompute({(item.pk, day) for _p, day, *_r in rows}, point.region_path)
