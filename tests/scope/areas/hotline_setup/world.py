"""The setup pages in each side: a partner's key for the side's street to revoke, and a
calendar day entered by hand (one for the installation). The unit and the rule to edit and
remove are the hotline's (hotline/world.py)."""

import datetime

from fangyi.core import permissions as p
from fangyi.hotline import services as hotline
from fangyi.hotline.open311 import services as open311

ENTERED_DAY = datetime.date(2031, 1, 1)


def objects(side, users) -> None:
    side.setup_key, _raw = open311.issue_key(
        actor=users[p.ADMIN], partner="群机器人", region=side.street
    )
    hotline.set_calendar_day(actor=users[p.ADMIN], day=ENTERED_DAY, is_workday=False, note="元旦")
