"""The command centre's part of the scope world: yesterday's snapshot, taken once per side (the
second take leaves the same rows), so the screen has a yesterday to compare with."""

import datetime

from fangyi.command import services


def objects(side, users) -> None:
    services.take_snapshot(day=services.today() - datetime.timedelta(days=1))
