"""Rewriting Status rows from facts, zones and the policy in force, in batches.

The hot path of a city-wide recompute: raw SQL that hands back times as Unix seconds and ids as
text (no per-value conversion in Python), the pure rules engine, and one bulk upsert per batch
(COPY into a temporary table on PostgreSQL, INSERT … ON CONFLICT elsewhere).
"""

import datetime
import json
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from fangyi.core.paths import next_prefix
from fangyi.people.models import Person
from fangyi.regions.models import ancestor_paths

from .models import ManualDecision, Policy, Status, ZoneRegion
from .reasons import describe
from .rules import Fact, Manual, Rules, ZoneRef, evaluate

BATCH = 5000


@dataclass
class Outcome:
    persons: int = 0
    by_colour: dict = field(default_factory=dict)
    seconds: float = 0.0


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _epoch(column: str) -> str:
    if _postgres():
        return f"extract(epoch from {column})::float8"
    # Django keeps "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; julianday() would lose microseconds.
    # %% because the query goes out with parameters.
    return f"(CAST(strftime('%%s', {column}) AS REAL) + CAST(substr({column}, 20) AS REAL))"


def _text(column: str) -> str:
    return f"{column}::text" if _postgres() else column


def _db_id(value: str):
    """A person id as the driver wants it back: hex text on SQLite, a UUID on PostgreSQL."""
    return value if _postgres() else uuid.UUID(value).hex


def policy_rules(policy: Policy | None = None) -> tuple[Policy, Rules]:
    policy = policy or Policy.objects.in_force()
    return policy, Rules(policy.parameters, policy.label)


class Context:
    """What every person in a run shares: the rules, the active zones by region path, now."""

    def __init__(self, *, now: datetime.datetime | None = None, policy: Policy | None = None):
        self.now_dt = now or timezone.now()
        self.now = self.now_dt.timestamp()
        self.policy, self.rules = policy_rules(policy)
        self.zones_by_path: dict[str, list[ZoneRef]] = {}
        self.zones: dict[str, ZoneRef] = {}
        areas = ZoneRegion.objects.filter(zone__lifted_at__isnull=True).values_list(
            "path", "zone_id", "zone__kind", "zone__starts_at", "zone__name"
        )
        for path, zone_id, kind, starts_at, name in areas:
            ref = ZoneRef(str(zone_id), kind, starts_at.timestamp(), name)
            self.zones[ref.id] = ref
            self.zones_by_path.setdefault(path, []).append(ref)

    def zones_of(self, region_path: str) -> list[ZoneRef]:
        if not self.zones_by_path:
            return []
        found = []
        for path in ancestor_paths(region_path):
            found.extend(self.zones_by_path.get(path, ()))
        return found


def _facts_for(person_ids: list[str], *, id_range: bool) -> dict[str, list[Fact]]:
    columns = (
        f"{_text('person_id')}, {_text('id')}, kind, {_epoch('occurred_at')}, outcome, "
        f"variant, {_text('retracts_id')}"
    )
    if id_range:
        where = "person_id >= %s AND person_id <= %s"
        params = [_db_id(person_ids[0]), _db_id(person_ids[-1])]
    elif _postgres():
        where = "person_id = ANY(%s::uuid[])"
        params = [person_ids]
    else:
        where = f"person_id IN ({', '.join(['%s'] * len(person_ids))})"
        params = person_ids
    sql = (
        f"SELECT {columns} FROM health_fact WHERE {where} "
        "ORDER BY person_id, occurred_at, recorded_at"
    )
    facts: dict[str, list[Fact]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for person_id, fact_id, kind, at, outcome, variant, retracts in cursor.fetchall():
            row = Fact(fact_id, kind, at, outcome, variant, retracts)
            found = facts.get(person_id)
            if found is None:
                facts[person_id] = [row]
            else:
                found.append(row)
    return facts


def _manuals_for(person_ids: list[str], now: datetime.datetime) -> dict[str, tuple]:
    decisions = ManualDecision.objects.filter(
        person_id__in=person_ids, state=ManualDecision.State.APPROVED, expires_at__gt=now
    ).order_by("decided_at")
    # Approved later wins: it is the decision the second officer saw last.
    found = {}
    for decision in decisions:
        found[_person_key(decision.person_id)] = (
            Manual(str(decision.pk), decision.colour, decision.expires_at.timestamp()),
            decision,
        )
    return found


def _person_key(person_id) -> str:
    return str(person_id) if _postgres() else uuid.UUID(str(person_id)).hex


def evaluate_batch(persons: list[tuple[str, str]], ctx: Context, *, id_range: bool = False):
    """[(person_id, region_path)] → rows for Status, in the order of its columns."""
    ids = [person_id for person_id, _path in persons]
    facts = _facts_for(ids, id_range=id_range) if ids else {}
    manuals = _manuals_for(ids, ctx.now_dt) if ids else {}
    rules = ctx.rules
    now = ctx.now
    computed_at = ctx.now_dt
    version = rules.version
    rows = []
    empty: list = []
    for person_id, region_path in persons:
        zones = ctx.zones_of(region_path)
        manual = manuals.get(person_id)
        result = evaluate(
            facts.get(person_id, empty), zones, rules, now, manual[0] if manual else None
        )
        if result.reasons:
            note = manual[1].reason if manual else ""
            reasons = [describe(r, rules, zones=ctx.zones, note=note) for r in result.reasons]
            if manual:
                reasons[0]["decision"] = str(manual[1].pk)
        else:
            reasons = []
        rows.append(
            (
                person_id,
                region_path,
                result.colour,
                reasons,
                result.valid_until,
                version,
                manual is not None,
                computed_at,
            )
        )
    return rows


STATUS_COLUMNS = [
    "person_id",
    "region_path",
    "colour",
    "reasons",
    "valid_until",
    "policy_version",
    "manual",
    "computed_at",
]
_UPDATE = ", ".join(f"{c} = excluded.{c}" for c in STATUS_COLUMNS[1:])


def write_statuses(rows: list[tuple]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS health_status_in "
                "(person_id uuid, region_path text, colour text, reasons jsonb, "
                "valid_until float8, policy_version text, manual boolean, computed_at timestamptz)"
            )
            cursor.execute("TRUNCATE health_status_in")
            with cursor.cursor.copy(
                f"COPY health_status_in ({', '.join(STATUS_COLUMNS)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    reasons = row[3]
                    copy.write_row(
                        (
                            row[0],
                            row[1],
                            row[2],
                            json.dumps(reasons, ensure_ascii=False) if reasons else "[]",
                            *row[4:],
                        )
                    )
            cursor.execute(
                f"INSERT INTO health_status ({', '.join(STATUS_COLUMNS)}) "
                "SELECT person_id, region_path, colour, reasons, to_timestamp(valid_until), "
                "policy_version, manual, computed_at FROM health_status_in "
                f"ON CONFLICT (person_id) DO UPDATE SET {_UPDATE}"
            )
            return
        computed_at = rows[0][7]
        stamp = connection.ops.adapt_datetimefield_value(computed_at)
        values = [
            (
                row[0],
                row[1],
                row[2],
                json.dumps(row[3], ensure_ascii=False) if row[3] else "[]",
                None
                if row[4] is None
                else connection.ops.adapt_datetimefield_value(
                    datetime.datetime.fromtimestamp(row[4], tz=datetime.UTC)
                ),
                row[5],
                row[6],
                stamp,
            )
            for row in rows
        ]
        cursor.executemany(
            f"INSERT INTO health_status ({', '.join(STATUS_COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(STATUS_COLUMNS))}) "
            f"ON CONFLICT (person_id) DO UPDATE SET {_UPDATE}",
            values,
        )


def _tally(outcome: Outcome, rows: list[tuple]) -> None:
    outcome.persons += len(rows)
    for row in rows:
        outcome.by_colour[row[2]] = outcome.by_colour.get(row[2], 0) + 1


def _run(batches: Iterable[tuple[list, bool]], ctx: Context) -> Outcome:
    started = time.perf_counter()
    outcome = Outcome()
    for persons, id_range in batches:
        rows = evaluate_batch(persons, ctx, id_range=id_range)
        with transaction.atomic():
            write_statuses(rows)
        _tally(outcome, rows)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _person_rows(sql: str, params: list) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _all_batches() -> Iterator[tuple[list, bool]]:
    last = None
    while True:
        where = "WHERE id > %s " if last is not None else ""
        rows = _person_rows(
            f"SELECT {_text('id')}, region_path FROM people_person {where}ORDER BY id LIMIT {BATCH}",
            [_db_id(last)] if last is not None else [],
        )
        if not rows:
            return
        yield rows, True
        last = rows[-1][0]


def _region_batches(paths: list[str]) -> Iterator[tuple[list, bool]]:
    for path in paths:
        after = ""
        params: list = []
        while True:
            rows = _person_rows(
                f"SELECT {_text('id')}, region_path FROM people_person "
                f"WHERE region_path >= %s AND region_path < %s {after}"
                f"ORDER BY region_path, id LIMIT {BATCH}",
                [path, next_prefix(path), *params],
            )
            if not rows:
                break
            yield rows, False
            last_id, last_path = rows[-1]
            after = "AND (region_path > %s OR (region_path = %s AND id > %s)) "
            params = [last_path, last_path, _db_id(last_id)]


def _id_batches(person_ids: list) -> Iterator[tuple[list, bool]]:
    ids = [str(person_id) for person_id in person_ids]
    for start in range(0, len(ids), BATCH):
        chunk = Person.objects.filter(pk__in=ids[start : start + BATCH]).values_list(
            "id", "region_path"
        )
        yield [(_person_key(pk), path) for pk, path in chunk], False


def _due_batches(now: datetime.datetime) -> Iterator[tuple[list, bool]]:
    """Persons whose result said it would change by now, and persons never computed."""
    due = Status.objects.filter(valid_until__lte=now).values_list("person_id", flat=True)
    yield from _id_batches(list(due))
    never = Person.objects.filter(health_status__isnull=True).values_list("id", flat=True)
    yield from _id_batches(list(never))


def recompute_all(*, now=None, policy=None) -> Outcome:
    return _run(_all_batches(), Context(now=now, policy=policy))


def recompute_under(paths: list[str], *, now=None) -> Outcome:
    from fangyi.core.permissions import minimal_paths

    return _run(_region_batches(minimal_paths(paths)), Context(now=now))


def recompute_persons(person_ids: list, *, now=None) -> Outcome:
    return _run(_id_batches(person_ids), Context(now=now))


def recompute_due(*, now=None) -> Outcome:
    ctx = Context(now=now)
    return _run(_due_batches(ctx.now_dt), ctx)
