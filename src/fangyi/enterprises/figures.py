"""The enterprises' figures per region path, for every region at once, as the command centre
reads them: enterprises registered, reopened, employees linked (confirmed by them), and
employees able to work (green, not living in a zone that keeps people home, and a negative
test within the plan's window).

A few grouped queries by the enterprise's region path, then each count is added to every
ancestor path: a region's figure covers the enterprises of its whole subtree.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from .models import Employment, Enterprise, Standing
from .standing import PATH_LENGTHS, _ancestors_sql, _table, test_window_hours, zone_kinds

REGISTERED = "enterprises_registered"
REOPENED = "enterprises_reopened"
LINKED = "employees_linked"
ABLE = "employees_able_to_work"
NAMES = (REGISTERED, REOPENED, LINKED, ABLE)


@dataclass(frozen=True)
class Figures:
    enterprises_registered: int = 0
    enterprises_reopened: int = 0
    employees_linked: int = 0
    employees_able_to_work: int = 0


def _ancestors(path: str) -> list[str]:
    return [path[:n] for n in PATH_LENGTHS if n <= len(path)]


def _able_sql(kinds: list[str]) -> str:
    keeping = ", ".join(["%s"] * len(kinds)) if kinds else "NULL"
    return f"""
SELECT e.region_path, count(*)
FROM {_table("enterprises_employment")} e
JOIN {_table("people_person")} p ON p.id = e.person_id
JOIN {_table("health_status")} s ON s.person_id = e.person_id
WHERE e.state = 'confirmed' AND s.colour = 'green'
  AND NOT EXISTS (
    SELECT 1 FROM {_table("health_zoneregion")} zr
      JOIN {_table("health_zone")} z ON z.id = zr.zone_id
     WHERE z.lifted_at IS NULL AND z.starts_at <= %s AND z.kind IN ({keeping})
       AND zr.path IN ({_ancestors_sql("p.region_path")}))
  AND EXISTS (
    SELECT 1 FROM {_table("health_fact")} f
     WHERE f.person_id = e.person_id AND f.kind = 'test_result' AND f.outcome = 'negative'
       AND f.occurred_at > %s AND f.occurred_at <= %s
       AND NOT EXISTS (SELECT 1 FROM {_table("health_fact")} r WHERE r.retracts_id = f.id))
GROUP BY e.region_path
"""


def _able_by_path(now: datetime.datetime) -> dict[str, int]:
    kinds = [code for code, (_zh, _en, keeps) in zone_kinds().items() if keeps]
    since = now - datetime.timedelta(hours=test_window_hours())
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(_able_sql(kinds), [adapt(now), *kinds, adapt(since), adapt(now)])
        return dict(cursor.fetchall())


def by_region(now: datetime.datetime | None = None) -> dict[str, Figures]:
    """Every region path that has an enterprise below it, with its four figures."""
    now = now or timezone.now()
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(NAMES, 0))

    def add(path: str, name: str, count: int) -> None:
        for ancestor in _ancestors(path):
            totals[ancestor][name] += count

    standings = (
        Enterprise.objects.exclude(standing=Standing.UNCONFIRMED)
        .values_list("region_path", "standing")
        .annotate(n=Count("id"))
        .order_by()
    )
    for path, standing, count in standings:
        add(path, REGISTERED, count)
        if standing == Standing.REOPENED:
            add(path, REOPENED, count)
    linked = (
        Employment.objects.filter(state=Employment.State.CONFIRMED)
        .values_list("region_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for path, count in linked:
        add(path, LINKED, count)
    for path, count in _able_by_path(now).items():
        add(path, ABLE, count)
    return {path: Figures(**counts) for path, counts in totals.items()}


def for_region(path: str, now: datetime.datetime | None = None) -> Figures:
    """One region's figures (a whole-city computation: cheap, and the same as every other)."""
    return by_region(now).get(path, Figures())
