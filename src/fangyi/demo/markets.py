"""Demo necessities monitoring: a supermarket and a farmers' market in each of the city's
first six communities, a month of daily prices of the whole basket, and one red light.

Prices wander within ±1 % of a base price (seeded, so every demo is the same); stock is
kept at 35 to 45 days of sales where the rules set a target. Pork in the first community
rises 12 % over the last ten days: its light (and its grid's) turns red while the street
and city averages stay green, and the demo commander has recorded reserve pork released
against it. The demo price reporter works the first community's two points. Reports go
through the services' writer, figures and lights are computed once at the end. Made once:
nothing is added while demo points exist.
"""

import dataclasses
import datetime
import random
from decimal import Decimal

from django.db import transaction

from fangyi.accounts.models import User
from fangyi.core import permissions
from fangyi.core.paths import under
from fangyi.markets import services
from fangyi.markets.area import REPORTER
from fangyi.markets.models import Item, Light, MonitoringPoint, PriceReport, today
from fangyi.regions.models import Level, Region

from .staff import _first_region

DAYS = 30
COMMUNITIES = 6
RISING = ("pork", Decimal("1.12"))
BASE_PRICES = {
    "rice": "5.80",
    "flour": "4.60",
    "oil": "16.00",
    "pork": "28.00",
    "beef": "78.00",
    "chicken": "22.00",
    "eggs": "11.00",
    "cabbage": "2.40",
    "greens": "4.00",
    "spinach": "6.00",
    "potato": "3.20",
    "tomato": "6.50",
    "cucumber": "5.00",
    "radish": "2.20",
    "carrot": "3.60",
    "apple": "9.00",
    "banana": "7.00",
    "milk": "12.00",
    "salt": "3.00",
    "noodles": "4.50",
}


@dataclasses.dataclass
class MarketsSeed:
    points: int
    reports: int
    lights: dict
    created: bool


def _summary(created: bool) -> MarketsSeed:
    colours: dict[str, int] = {}
    for colour in Light.objects.values_list("colour", flat=True):
        colours[colour] = colours.get(colour, 0) + 1
    return MarketsSeed(
        points=MonitoringPoint.objects.count(),
        reports=PriceReport.objects.count(),
        lights=dict(sorted(colours.items())),
        created=created,
    )


def _first_grid(community: Region) -> Region:
    return Region.objects.filter(under("path", community.path), level=Level.GRID).earliest("path")


def seed_markets(seed: int = 16) -> MarketsSeed:
    """Needs the demo city and the demo staff."""
    if MonitoringPoint.objects.exists():
        return _summary(created=False)
    generator = random.Random(seed)
    admin = User.objects.get(username=permissions.ADMIN)
    commander = User.objects.get(username=permissions.COMMANDER)
    reporter = User.objects.filter(username=REPORTER).first()
    city = _first_region(Level.CITY)
    communities = list(
        Region.objects.filter(under("path", city.path), level=Level.COMMUNITY).order_by("path")[
            :COMMUNITIES
        ]
    )
    items = list(Item.objects.all())
    cover = services.rule_set().rules().cover
    end = today()
    with transaction.atomic():
        points = []
        for n, community in enumerate(communities):
            grid = _first_grid(community)
            reporters = [reporter] if n == 0 and reporter is not None else []
            for kind, label, letter in (
                ("supermarket", "惠民超市", "S"),
                ("market", "农贸市场", "M"),
            ):
                points.append(
                    services.create_point(
                        actor=admin,
                        code=f"DM-{n + 1:02d}{letter}",
                        name=f"{community.name}{label}",
                        kind=kind,
                        region=grid,
                        address=f"{grid.name}",
                        reporters=reporters,
                    )
                )
        rows = []
        for point in points:
            rising = point.region_path.startswith(communities[0].path)
            for item in items:
                base = Decimal(BASE_PRICES[item.code])
                for back in range(DAYS - 1, -1, -1):
                    price = base * Decimal(1 + generator.uniform(-0.01, 0.01))
                    if rising and item.code == RISING[0] and back < 10:
                        price *= RISING[1]
                    stock = sales = None
                    if item.category in cover:
                        sales = Decimal(generator.randint(40, 120))
                        stock = sales * generator.randint(35, 45)
                    rows.append(
                        (
                            point,
                            end - datetime.timedelta(days=back),
                            item,
                            price.quantize(Decimal("0.01")),
                            stock,
                            sales,
                        )
                    )
        services.write_reports(actor=reporter or admin, rows=rows)
        touched = {
            (item.pk, end - datetime.timedelta(days=back)) for item in items for back in range(DAYS)
        }
        services.refresh_figures(touched)
        services.recompute_all()
        red = Light.objects.filter(item__code=RISING[0], region_path=communities[0].path).first()
        if red is not None:
            services.record_action(
                actor=commander,
                light=red,
                kind="reserve",
                quantity="储备冻猪肉 5 吨",
                note="向辖区农贸市场投放储备猪肉，平抑价格。",
            )
    return _summary(created=True)
