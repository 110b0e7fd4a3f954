"""The snapshot: idempotent, kept when the data change later, and what yesterday's change and
the trend read."""

import datetime

from fangyi.command import services
from fangyi.command.models import Snapshot, SnapshotDay
from fangyi.health.models import Fact
from fangyi.isolation.models import Order

from .support import beijing, counted_day


def rows():
    return sorted(Snapshot.objects.values_list("day", "region_path", "key", "value"))


def test_taking_a_day_twice_leaves_the_same_rows(city, superuser):
    day = counted_day(city, superuser)
    first = services.take_snapshot(day=day.day, now=beijing(day.day, 23))
    kept = rows()
    second = services.take_snapshot(day=day.day, now=beijing(day.day, 23))
    assert first == second == len(kept) > 0
    assert rows() == kept
    assert SnapshotDay.objects.filter(day=day.day).count() == 1


def test_rows_stop_at_the_grid_and_skip_zeros(city, superuser):
    day = counted_day(city, superuser)
    services.take_snapshot(day=day.day, now=beijing(day.day, 23))
    assert not Snapshot.objects.filter(region_path__regex=r"^.{16,}$").exists()
    assert not Snapshot.objects.filter(value=0).exists()
    assert (
        Snapshot.objects.get(day=day.day, region_path=city.grid_a.path, key="cases.community").value
        == 2
    )


def test_history_stays_when_the_data_change_later(city, superuser, commander):
    day = counted_day(city, superuser)
    services.take_snapshot(day=day.day, now=beijing(day.day, 23))
    Order.objects.filter(state="to_place").update(state="cancelled")
    Fact.objects.filter(kind="test_result").count()
    board = services.board(user=commander, region=city.community, day=day.day)
    assert board.by_key()["orders.to_place"].value == 1
    assert not board.live


def test_yesterday_and_the_trend_come_from_snapshots(city, superuser, commander):
    day = counted_day(city, superuser)
    services.take_snapshot(day=day.day, now=beijing(day.day, 23))
    board = services.board(user=commander, region=city.community)
    to_place = board.by_key()["orders.to_place"]
    assert board.live and board.day == day.day + datetime.timedelta(days=1)
    assert to_place.value == 1 and to_place.previous == 1 and to_place.change == 0
    community = board.by_key()["cases.community"]
    assert community.previous == 2
    assert community.trend[-2] == 2
    assert community.trend[0] is None
    assert len(community.trend) == services.TREND_DAYS


def test_a_day_never_taken_reads_as_unknown(city, commander):
    board = services.board(
        user=commander, region=city.community, day=services.today() - datetime.timedelta(days=3)
    )
    assert all(item.value is None for item in board.values)
