"""The hotline pages' part of the scope world, beside the core's tickets (hotline/world.py):
a call from the side's resident, so that the intake page's lookup has a caller with an
earlier ticket."""

from fangyi.hotline import services
from fangyi.hotline.area import OPERATOR
from fangyi.hotline.models import Category


def objects(side, users) -> None:
    side.hlp_called = services.intake(
        actor=users[OPERATOR],
        channel="phone",
        category=Category.objects.get(code="testing"),
        region=side.building,
        description="想问核酸检测点的开放时间",
        caller=services.CallerInput(person=side.person),
        dispatch_now=True,
    )
