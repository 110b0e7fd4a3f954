"""What the enterprise area reads of health, set-based: for a set of persons, their colour,
the kind of the zone they live in, and their last negative test. Read, never written."""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language

from fangyi.health.models import Policy

# The lengths of a region path's prefixes: province, city, district, street, community,
# grid, building (docs/architecture.md, "Regions and paths").
PATH_LENGTHS = (2, 4, 6, 9, 12, 15, 18)
DEFAULT_TEST_HOURS = 48
CHUNK = 5000


@dataclass(frozen=True)
class Seen:
    colour: str
    zone_kind: str
    last_negative_test: datetime.date | None


def test_window_hours() -> int:
    """How old a negative test may be for an employee to work: the plan in force's
    `enterprises.test_window_hours`, 48 when it says nothing."""
    plan = Policy.objects.filter(in_force=True).values_list("parameters", flat=True).first()
    hours = ((plan or {}).get("enterprises") or {}).get("test_window_hours", DEFAULT_TEST_HOURS)
    return hours if type(hours) is int and hours > 0 else DEFAULT_TEST_HOURS


def zone_kinds() -> dict[str, tuple[str, str, bool]]:
    """Zone kind code -> (Chinese name, English name, whether it keeps people from work: a
    kind that colours the people in it, sealed and controlled in the 2022 plans)."""
    kinds: dict[str, tuple[str, str, bool]] = {}
    for parameters in Policy.objects.values_list("parameters", flat=True):
        for kind in (parameters or {}).get("zone_kinds") or []:
            code = kind.get("code")
            if code and code not in kinds:
                kinds[code] = (
                    kind.get("name", code),
                    kind.get("name_en", code),
                    kind.get("colour") is not None,
                )
    return kinds


def kind_label(code: str, kinds: dict[str, tuple[str, str, bool]]) -> str:
    if not code:
        return ""
    zh, en, _keeps = kinds.get(code, (code, code, False))
    return en if (get_language() or "").startswith("en") else zh


def _ancestors_sql(column: str) -> str:
    return ", ".join(f"substr({column}, 1, {n})" for n in PATH_LENGTHS)


def _table(name: str) -> str:
    return connection.ops.quote_name(name)


STATES_SQL = f"""
SELECT p.id, s.colour,
  (SELECT z.kind FROM {_table("health_zoneregion")} zr
     JOIN {_table("health_zone")} z ON z.id = zr.zone_id
    WHERE z.lifted_at IS NULL AND z.starts_at <= %s
      AND zr.path IN ({_ancestors_sql("p.region_path")})
    ORDER BY length(zr.path) DESC, z.id LIMIT 1),
  (SELECT max(f.occurred_at) FROM {_table("health_fact")} f
    WHERE f.person_id = p.id AND f.kind = 'test_result' AND f.outcome = 'negative'
      AND f.occurred_at <= %s
      AND NOT EXISTS (SELECT 1 FROM {_table("health_fact")} r WHERE r.retracts_id = f.id))
FROM {_table("people_person")} p
LEFT JOIN {_table("health_status")} s ON s.person_id = p.id
WHERE p.id IN ({{ids}})
"""


def of_persons(person_ids: Iterable[uuid.UUID], now: datetime.datetime) -> dict[uuid.UUID, Seen]:
    """Colour, zone kind (its label in the active language) and the day of the last negative
    test of each person, a few queries for a page however long."""
    ids = list(person_ids)
    found: dict[uuid.UUID, Seen] = {}
    if not ids:
        return found
    kinds = zone_kinds()
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            placeholders = ", ".join(["%s"] * len(chunk))
            moment = connection.ops.adapt_datetimefield_value(now)
            params = [moment, moment, *(_db_id(pk) for pk in chunk)]
            cursor.execute(STATES_SQL.format(ids=placeholders), params)
            for pk, colour, kind, tested in cursor.fetchall():
                tested = _as_datetime(tested)
                found[_as_uuid(pk)] = Seen(
                    colour=colour or "",
                    zone_kind=kind_label(kind or "", kinds),
                    last_negative_test=timezone.localdate(tested) if tested else None,
                )
    return found


def _db_id(pk: uuid.UUID) -> uuid.UUID | str:
    return pk if connection.vendor == "postgresql" else pk.hex


def _as_uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _as_datetime(value: object) -> datetime.datetime | None:
    """SQLite answers an aggregate of datetimes as text."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    parsed = datetime.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)
