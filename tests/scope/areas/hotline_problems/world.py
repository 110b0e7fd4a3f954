"""The day's problem list in each side: the district's list of today, with an item put on
it by hand for the district's handling unit."""

from fangyi.core import permissions as p
from fangyi.hotline.models import HandlingUnit
from fangyi.hotline.problems import services


def objects(side, users) -> None:
    admin = users[p.ADMIN]
    side.problem_unit = HandlingUnit.objects.create(
        code=f"health-{side.district.code}",
        name=f"{side.district.name}卫健局",
        kind="department",
        region=side.district,
        region_path=side.district.path,
    )
    side.problem_list = services.make_list(actor=admin, region=side.district)
    side.problem_item = services.add_item(
        actor=admin,
        problem_list=side.problem_list,
        title=f"{side.community.name}药店缺退烧药",
        unit=side.problem_unit,
        fix_today=True,
    )
