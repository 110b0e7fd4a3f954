"""Rewriting Status rows from facts, zones and the policy in force, in batches.

The hot path of a city-wide recompute: raw SQL that hands back times as Unix seconds and ids as
text (no per-value conversion in Python), the pure rules engine, and one bulk upsert per batch
(COPY into a temporary table on PostgreSQL, INSERT … ON CONFLICT elsewhere).
"""

import datetime
import json
import multiprocessing
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from fangyi.core.paths import next_prefix
from fangyi.core.permissions import minimal_paths
from fangyi.people.models import Person
from fangyi.regions.models import ancestor_paths

from .counts import statuses_written
from .models import ManualDecision, Policy, Status, ZoneRegion
from .reasons import describe
from .rules import Fact, Manual, Rules, ZoneRef, evaluate

BATCH = 5000


@dataclass
class Outcome:
    persons: int = 0
    # Status rows written; the rest already held the same result.
    written: int = 0
    by_colour: dict = field(default_factory=dict)
    seconds: float = 0.0
    # Where rows were written (their region paths, and where moved rows were before).
    paths: set[str] = field(default_factory=set)

    def add(self, other: "Outcome") -> None:
        self.persons += other.persons
        self.written += other.written
        for colour, n in other.by_colour.items():
            self.by_colour[colour] = self.by_colour.get(colour, 0) + n
        self.paths |= other.paths


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
        self._zones_of_path: dict[str, list[ZoneRef]] = {}
        self.zones: dict[str, ZoneRef] = {}
        areas = ZoneRegion.objects.filter(zone__lifted_at__isnull=True).values_list(
            "path", "zone_id", "zone__kind", "zone__starts_at", "zone__name"
        )
        for path, zone_id, kind, starts_at, name in areas:
            key = str(zone_id)
            ref = ZoneRef(key, kind, starts_at.timestamp(), name)
            self.zones[key] = ref
            self.zones_by_path.setdefault(path, []).append(ref)

        # Approved manual decisions in force are few (each needs two officers): hold them all
        # rather than ask per batch.
        self.manuals: dict[str, tuple[Manual, ManualDecision]] = {}
        decisions = ManualDecision.objects.filter(
            state=ManualDecision.State.APPROVED, expires_at__gt=self.now_dt
        ).order_by("decided_at")
        for decision in decisions:
            # Approved later wins: it is the decision the second officer saw last.
            self.manuals[_person_key(decision.person_id)] = (
                Manual(str(decision.pk), decision.colour, decision.expires_at.timestamp()),
                decision,
            )

    def zones_of(self, region_path: str) -> list[ZoneRef]:
        if not self.zones_by_path:
            return []
        # Thousands of residents share a building: look its ancestors up once.
        found = self._zones_of_path.get(region_path)
        if found is None:
            found = []
            for path in ancestor_paths(region_path):
                found.extend(self.zones_by_path.get(path, ()))
            self._zones_of_path[region_path] = found
        return found


# A fact that can colour someone. Negative and invalid tests only clear what such a fact
# started, and declarations feed follow-up, not the rules: a person with none of these is
# evaluated without facts, so most of a city's facts are never read. Mirrors the partial
# index fact_risk.
RISK = "(NOT (kind IN ('test_result', 'health_declaration')) OR outcome = 'positive')"


# A stored status that says nothing but green. Green never has reasons (the rules give a
# reason for every other colour and none for green), so they need not be read.
PLAIN = "(colour = 'green' AND valid_until IS NULL AND NOT manual)"
PLAIN_S = "(s.colour = 'green' AND s.valid_until IS NULL AND NOT s.manual)"


def _batch_where(column: str, person_ids: list[str], *, id_range: bool) -> tuple[str, list]:
    if id_range:
        return f"{column} >= %s AND {column} <= %s", [
            _db_id(person_ids[0]),
            _db_id(person_ids[-1]),
        ]
    if _postgres():
        return f"{column} = ANY(%s::uuid[])", [person_ids]
    return f"{column} IN ({', '.join(['%s'] * len(person_ids))})", list(person_ids)


def _facts_for(person_ids: list[str], *, id_range: bool) -> dict[str, list[Fact]]:
    """The facts of those persons of the batch who have a risk-bearing fact, in time order."""
    columns = (
        f"{_text('person_id')}, {_text('id')}, kind, {_epoch('occurred_at')}, outcome, "
        f"variant, {_text('retracts_id')}"
    )
    where, params = _batch_where("person_id", person_ids, id_range=id_range)
    sql = (
        f"SELECT {columns} FROM health_fact WHERE person_id IN "
        f"(SELECT person_id FROM health_fact WHERE {where} AND {RISK}) "
        "AND kind <> 'health_declaration' "
        # Qualified: a bare name would sort by the text-cast output column of the same name.
        "ORDER BY health_fact.person_id, occurred_at, recorded_at"
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


def _stored(person_ids: list[str], *, id_range: bool) -> dict[str, tuple[str, str, bool]]:
    """person → (region path, policy version, is plain green) of the status rows stored now."""
    where, params = _batch_where("person_id", person_ids, id_range=id_range)
    sql = (
        f"SELECT {_text('person_id')}, region_path, policy_version, {PLAIN} "
        f"FROM health_status WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: (row[1], row[2], bool(row[3])) for row in cursor.fetchall()}


def _person_key(person_id) -> str:
    return str(person_id) if _postgres() else uuid.UUID(str(person_id)).hex


def evaluate_batch(persons: list[tuple[str, str]], ctx: Context, *, id_range: bool = False):
    """[(person_id, region_path)] → rows for Status, in the order of its columns.

    A person with no risk-bearing fact, no zone and no manual decision is green without a
    call into the rules: the engine would say the same, and that is most of a city.
    """
    ids = [person_id for person_id, _path in persons]
    facts = _facts_for(ids, id_range=id_range) if ids else {}
    manuals = ctx.manuals
    rules = ctx.rules
    now = ctx.now
    computed_at = ctx.now_dt
    version = rules.version
    rows: list[tuple[object, ...]] = []
    empty: list[Fact] = []
    for person_id, region_path in persons:
        zones = ctx.zones_of(region_path)
        manual = manuals.get(person_id)
        found = facts.get(person_id)
        if found is None and not zones and manual is None:
            rows.append((person_id, region_path, "green", empty, None, version, False, computed_at))
            continue
        result = evaluate(found or empty, zones, rules, now, manual[0] if manual else None)
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


def _copy_new(cursor, rows: list[tuple]) -> None:
    with cursor.cursor.copy(f"COPY health_status ({', '.join(STATUS_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            reasons, until = row[3], row[4]
            copy.write_row(
                (
                    row[0],
                    row[1],
                    row[2],
                    json.dumps(reasons, ensure_ascii=False) if reasons else "[]",
                    None if until is None else datetime.datetime.fromtimestamp(until, datetime.UTC),
                    *row[5:],
                )
            )


def write_statuses(rows: list[tuple], *, fresh: bool = False) -> None:
    """Upserts status rows. `fresh`: none of these persons had a row when the batch was read,
    so on PostgreSQL they are copied straight in (a first computation of a whole city); if
    another recompute got there first, the upsert runs instead."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if _postgres():
            if fresh:
                try:
                    # The raw COPY bypasses Django's cursor, which would translate the error.
                    with transaction.atomic(), connection.wrap_database_errors:
                        _copy_new(cursor, rows)
                    return
                except IntegrityError:
                    pass
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


def _is_plain(row: tuple) -> bool:
    return row[2] == "green" and not row[3] and row[4] is None and not row[6]


def _changes(rows: list[tuple], stored: dict, version: str) -> tuple[list[tuple], list[str]]:
    """(rows to write, persons whose plain green status only needs the new policy version).

    Rewriting a million unchanged rows would be most of a recompute's time; a status row is
    written only when its result differs from the stored one.
    """
    write, relabel = [], []
    for row in rows:
        old = stored.get(row[0])
        if old is not None and old[2] and old[0] == row[1] and _is_plain(row):
            if old[1] != version:
                relabel.append(row[0])
            continue
        write.append(row)
    return write, relabel


def relabel_statuses(
    person_ids: list[str], version: str, computed_at, *, id_range: bool = False
) -> None:
    """Records the new plan on rows whose result it leaves as it was.

    For a batch that is a range of ids, every plain row of the range not yet under this plan
    is exactly that set, and a range is cheaper to update than thousands of lookups; rows of
    the range that change are upserted after this, in the same transaction.
    """
    if not person_ids:
        return
    where, params = _batch_where("person_id", person_ids, id_range=id_range)
    if id_range:
        where += f" AND policy_version <> %s AND {PLAIN}"
        params.append(version)
    stamp = computed_at if _postgres() else connection.ops.adapt_datetimefield_value(computed_at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE health_status SET policy_version = %s, computed_at = %s WHERE {where}",
            [version, stamp, *params],
        )


def _written_paths(rows: list[tuple], stored: dict) -> set[str]:
    """Where the written rows are now, and where the moved ones were counted before."""
    paths = {row[1] for row in rows}
    paths.update(stored[row[0]][0] for row in rows if row[0] in stored)
    return paths


# A batch: [(person id, region path)], whether it is a whole range of ids, and the stored
# statuses of its persons when the query that found them read those too.
Batch = tuple[list, bool, dict | None]


def _run(
    batches: Iterable[Batch], ctx: Context, on_batch: Callable[[int], None] | None = None
) -> Outcome:
    """`on_batch(persons)` after each batch is committed: a run's heartbeat."""
    started = time.perf_counter()
    outcome = Outcome()
    for persons, id_range, stored in batches:
        if not persons:
            continue
        rows = evaluate_batch(persons, ctx, id_range=id_range)
        if stored is None:
            ids = [person_id for person_id, _path in persons]
            stored = _stored(ids, id_range=id_range)
        write, relabel = _changes(rows, stored, ctx.rules.version)
        paths = _written_paths(write, stored)
        with transaction.atomic():
            relabel_statuses(relabel, ctx.rules.version, ctx.now_dt, id_range=id_range)
            write_statuses(write, fresh=not stored)
            statuses_written(paths)
        outcome.written += len(write) + len(relabel)
        outcome.paths |= paths
        _tally(outcome, rows)
        if on_batch is not None:
            on_batch(len(rows))
    outcome.seconds = time.perf_counter() - started
    return outcome


def _person_rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _all_batches(*, after: str | None = None, upto: str | None = None) -> Iterator[Batch]:
    """Every person with an id in (after, upto], a batch at a time, each with the status
    stored for it, read by the same query."""
    last = after
    while True:
        bounds, params = "", []
        if last is not None:
            bounds += " AND {id} > %s"
            params.append(_db_id(last))
        if upto is not None:
            bounds += " AND {id} <= %s"
            params.append(_db_id(upto))
        # The bounds on both sides: without them on the statuses, PostgreSQL merges the
        # persons of the batch with the status index read from its start, every batch.
        rows = _person_rows(
            f"SELECT {_text('p.id')}, p.region_path, s.region_path, s.policy_version, {PLAIN_S} "
            "FROM people_person p LEFT JOIN health_status s ON s.person_id = p.id"
            f"{bounds.format(id='s.person_id')} WHERE 1 = 1{bounds.format(id='p.id')} "
            f"ORDER BY p.id LIMIT {BATCH}",
            params * 2,
        )
        if not rows:
            return
        persons = [(row[0], row[1]) for row in rows]
        stored = {row[0]: (row[2], row[3], bool(row[4])) for row in rows if row[2] is not None}
        yield persons, True, stored
        last = rows[-1][0]


def _region_batches(paths: list[str]) -> Iterator[Batch]:
    for path in paths:
        after = ""
        params: list = []
        while True:
            rows = _person_rows(
                f"SELECT {_text('id')}, region_path FROM people_person "
                f"WHERE region_path >= %s AND region_path < %s {after}"
                f"ORDER BY region_path, people_person.id LIMIT {BATCH}",
                [path, next_prefix(path), *params],
            )
            if not rows:
                break
            yield rows, False, None
            last_id, last_path = rows[-1]
            after = "AND (region_path > %s OR (region_path = %s AND id > %s)) "
            params = [last_path, last_path, _db_id(last_id)]


def _id_batches(person_ids: list) -> Iterator[Batch]:
    ids = [str(person_id) for person_id in person_ids]
    for start in range(0, len(ids), BATCH):
        chunk = Person.objects.filter(pk__in=ids[start : start + BATCH]).values_list(
            "id", "region_path"
        )
        yield [(_person_key(pk), path) for pk, path in chunk], False, None


def _due_batches(now: datetime.datetime) -> Iterator[Batch]:
    """Persons whose result said it would change by now, and persons never computed."""
    due = Status.objects.filter(valid_until__lte=now).values_list("person_id", flat=True)
    yield from _id_batches(list(due))
    never = Person.objects.filter(health_status__isnull=True).values_list("id", flat=True)
    yield from _id_batches(list(never))


def recompute_all(*, now=None, policy=None, processes: int | None = None, on_batch=None) -> Outcome:
    """Every person's status. On PostgreSQL a large city is split into ranges of ids, one per
    process (FANGYI_HEALTH_PROCESSES, default the cores): a new plan rewrites every row, and
    PostgreSQL's work on them is then spread over as many server processes."""
    ctx = Context(now=now, policy=policy)
    parts = _parts(processes)
    if parts > 1:
        return _split_run(ctx, parts, on_batch)
    return _run(_all_batches(), ctx, on_batch)


def _parts(processes: int | None) -> int:
    if processes is None:
        processes = settings.FANGYI_HEALTH_PROCESSES
    # SQLite writes one transaction at a time; inside a transaction, other connections
    # would not see what it holds.
    if processes < 2 or not _postgres() or connection.in_atomic_block:
        return 1
    if _persons_estimate() < settings.FANGYI_HEALTH_SPLIT_MIN_PERSONS:
        return 1
    return processes


def _persons_estimate() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'people_person'::regclass")
        row = cursor.fetchone()
        if row and row[0] > 0:
            return int(row[0])
        cursor.execute("SELECT count(*) FROM people_person")
        return cursor.fetchone()[0]


def _split_run(ctx: Context, parts: int, on_batch: Callable[[int], None] | None) -> Outcome:
    """`on_batch` is called by each part after each of its batches: the run's heartbeat goes
    on while the parts work."""
    started = time.perf_counter()
    estimate = _persons_estimate()
    bounds: list[str] = []
    with connection.cursor() as cursor:
        for k in range(1, parts):
            cursor.execute(
                "SELECT id::text FROM people_person ORDER BY id OFFSET %s LIMIT 1",
                [estimate * k // parts],
            )
            row = cursor.fetchone()
            if row is not None and (not bounds or row[0] > bounds[-1]):
                bounds.append(row[0])
    ranges = list(zip([None, *bounds], [*bounds, None], strict=True))
    # Each part connects on its own: a connection shared across fork would be corrupted.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    children = []
    for after, upto in ranges:
        reader, writer = context.Pipe(duplex=False)
        process = context.Process(
            target=_recompute_part, args=(ctx, after, upto, writer, on_batch), daemon=True
        )
        process.start()
        writer.close()
        children.append((process, reader))
    outcome = Outcome()
    failures = []
    for process, reader in children:
        try:
            kind, payload = reader.recv()
        except EOFError:
            kind, payload = "failed", "the process ended"
        reader.close()
        process.join()
        if kind == "done":
            outcome.add(payload)
        else:
            failures.append(payload)
    # The parts renewed the tallies in their own processes; a cache of this process's own
    # (the default, in memory) must hear of it too.
    statuses_written(outcome.paths)
    if failures:
        raise RuntimeError("a part of the recompute broke off:\n" + "\n".join(failures))
    outcome.seconds = time.perf_counter() - started
    return outcome


def _recompute_part(ctx: Context, after: str | None, upto: str | None, writer, on_batch) -> None:
    try:
        writer.send(("done", _run(_all_batches(after=after, upto=upto), ctx, on_batch)))
    except BaseException:
        writer.send(("failed", traceback.format_exc()))
    finally:
        connections.close_all()
        writer.close()


def recompute_under(paths: list[str], *, now=None, on_batch=None) -> Outcome:
    return _run(_region_batches(minimal_paths(paths)), Context(now=now), on_batch)


def recompute_persons(person_ids: list, *, now=None, on_batch=None) -> Outcome:
    return _run(_id_batches(person_ids), Context(now=now), on_batch)


def recompute_due(*, now=None) -> Outcome:
    ctx = Context(now=now)
    return _run(_due_batches(ctx.now_dt), ctx)
