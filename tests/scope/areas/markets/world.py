"""The markets' part of the scope world: in each side, a supermarket of the grid that has
reported rice today (so rice is lit in the grid and above) and a market that has not, both
worked by the side's reporter."""

from fangyi.core import permissions as p
from fangyi.markets import services
from fangyi.markets.area import REPORTER
from fangyi.markets.models import Light, today

ROLES = {REPORTER: "grid"}


def objects(side, users) -> None:
    admin, reporter = users[p.ADMIN], users[REPORTER]
    code = side.city.code
    side.point = services.create_point(
        actor=admin,
        code=f"S{code}",
        name=f"{side.grid.name}监测超市",
        kind="supermarket",
        region=side.grid,
        reporters=[reporter],
    )
    side.idle_point = services.create_point(
        actor=admin,
        code=f"M{code}",
        name=f"{side.grid.name}监测菜场",
        kind="market",
        region=side.grid,
        reporters=[reporter],
    )
    [side.report] = services.submit_report(
        actor=reporter,
        point=side.point,
        day=today(),
        entries=[services.Entry(item="rice", price="5.20", stock="3000", sales="100")],
    )
    side.light = Light.objects.get(item__code="rice", region=side.grid)
