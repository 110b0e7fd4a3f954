"""The residents' side of the hotline in the scope world: a request the side's resident filed
on the portal (routed by the hotline world's rule to the street's team)."""

from fangyi.hotline import services
from fangyi.hotline.models import Category


def objects(side, users) -> None:
    side.hlr_mine = services.intake_for_resident(
        holder=side.person,
        category=Category.objects.get(code="utilities"),
        description="楼里停水两天了",
    )
