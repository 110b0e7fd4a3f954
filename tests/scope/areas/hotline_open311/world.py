"""Open311 in each side: a partner's key for the side's district, and a request filed with
it."""

from fangyi.core import permissions as p
from fangyi.hotline.open311 import services


def objects(side, users) -> None:
    key, side.open311_key = services.issue_key(
        actor=users[p.ADMIN], partner="城市服务 App", region=side.district
    )
    side.open311_ticket = services.submit_request(
        key=key, service_code="food", description="社区缺米", address_id=side.community.code
    )
