"""Release readiness of many orders at once: "orders never stay open silently".

Every running order past its planned end is either ready (rules.readiness) or overdue with its
reasons. The orders are read in slices of SLICE; the facts and check-ins of a slice are read in
a few queries, whatever their number: the test results summarised by the database to a row an
order, so that an order with every test day covered and no fever is ready without more work,
and the pure rules run in memory over the others. No query per order.
"""

import datetime
import uuid
from collections import defaultdict
from typing import NamedTuple

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fangyi.core.pagination import InvalidCursor, decode_cursor, encode_cursor
from fangyi.health.models import Fact, FactKind

from . import rules
from .models import CheckIn, Order, OrderState

# Orders are read in slices of this many: the persons of a slice go into one IN list.
SLICE = 5000


class Assessed(NamedTuple):
    order_id: uuid.UUID
    ready: bool
    problems: tuple[rules.Problem, ...]


def due(orders: QuerySet[Order], now: datetime.datetime | None = None) -> QuerySet[Order]:
    """The running orders among `orders` whose planned end has come."""
    now = now or timezone.now()
    return orders.filter(
        state__in=[OrderState.ACTIVE, OrderState.EXTENDED], planned_end_at__lte=now
    )


def assess(
    orders: QuerySet[Order], now: datetime.datetime | None = None
) -> dict[uuid.UUID, Assessed]:
    """Readiness of each order of `orders` (started ones), by order id."""
    now = now or timezone.now()
    started = orders.filter(started_at__isnull=False)
    result: dict[uuid.UUID, Assessed] = {}
    after = None
    while True:
        # Slices in id order; each slice's orders are named to the database as a range of
        # ids of the same query, not as thousands of parameters.
        ordered = started.order_by("id")
        if after is not None:
            ordered = ordered.filter(id__gt=after)
        part = list(ordered.values_list("id", "started_at", "test_days")[:SLICE])
        if not part:
            return result
        after = part[-1][0]
        in_part = started.filter(id__gte=part[0][0], id__lte=after)
        tests = _tests(in_part, now)
        reported = _reported(in_part, now)
        for order_id, started_at, test_days in part:
            assert started_at is not None  # filtered above
            covered, notes, clinic_us = tests.get(order_id, ("", "", None))
            fevers = reported.get(order_id, [])
            if clinic_us is not None:
                fevers = [*fevers, started_at + datetime.timedelta(microseconds=clinic_us)]
            days = test_days or ()
            if not notes and not fevers and _all_covered(started_at, days, covered, now):
                result[order_id] = Assessed(order_id, True, ())
                continue
            verdict = rules.readiness(
                start=started_at,
                test_days=days,
                tests=_results(started_at, covered, notes),
                fevers=fevers,
                now=now,
            )
            result[order_id] = Assessed(order_id, verdict.ready, verdict.problems)


_DAY_US = rules.DAY // datetime.timedelta(microseconds=1)


def _all_covered(start, test_days, covered: str, now) -> bool:
    """Whether every test day whose window has begun has its last test in `covered`."""
    begun = (now - start) // rules.DAY + 1
    wanted = {int(day) for day in test_days if 1 <= int(day) <= begun}
    if not wanted:
        return True
    return wanted <= {int(day) for day in covered.split(",")} if covered else False


def _results(start, covered: str, notes: str) -> list[rules.LabResult]:
    """The results `rules.readiness` needs, rebuilt from a summary of `_tests`: a day whose
    last test is neither invalid nor positive stands as a negative at the day's start (only
    the day and "no problem" matter of it); positives and invalid last tests at their time."""
    results = [
        rules.LabResult(start + (int(day) - 1) * rules.DAY, rules.NEGATIVE)
        for day in covered.split(",")
        if covered
    ]
    for note in notes.split(",") if notes else ():
        outcome, _sep, offset = note.partition(":")
        results.append(
            rules.LabResult(start + datetime.timedelta(microseconds=int(offset)), outcome)
        )
    return results


def _offset_sql(vendor: str, moment: str, start: str) -> str:
    """SQL for the microseconds from `start` to `moment` (two datetime columns), exact: the
    day a test falls on must be the one rules.day_of says, to the microsecond."""
    if vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM ({moment} - {start})) * 1000000)::bigint"

    # SQLite keeps datetimes as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]".
    def micro(column: str) -> str:
        return (
            f"(unixepoch({column}) * 1000000 + CASE WHEN length({column}) > 19 "
            f"THEN CAST(substr({column}, 21, 6) AS INTEGER) ELSE 0 END)"
        )

    return f"({micro(moment)} - {micro(start)})"


def _tests(in_part: QuerySet[Order], now) -> dict[uuid.UUID, tuple[str, str, int | None]]:
    """The test results since each order of `in_part` started, summarised by the database to
    one row an order: the days whose last test is neither invalid nor positive ("1,2,4"), the
    results that are problems, each positive and each invalid last test of a day, as
    "outcome:microseconds since the start", and the microseconds from the start to the latest
    fever-clinic visit of the last 24 hours. The results of a city's due orders are hundreds
    of thousands of rows; their summaries are one row an order."""
    connection = connections[in_part.db]
    fact_table = connection.ops.quote_name(Fact._meta.db_table)
    order_table = connection.ops.quote_name(Order._meta.db_table)
    ids_sql, ids_params = in_part.values("id").query.sql_with_params()
    offset = _offset_sql(connection.vendor, "f.occurred_at", "o.started_at")
    join = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    sql = f"""
        WITH t AS (
            SELECT o.id AS order_id, f.kind AS kind, {offset} AS offset_us, f.outcome AS outcome
            FROM {order_table} o JOIN {fact_table} f ON f.person_id = o.person_id
            WHERE o.id IN ({ids_sql}) AND f.occurred_at <= %s
              AND (f.kind = %s AND f.occurred_at >= o.started_at
                   OR f.kind = %s AND f.occurred_at > %s)
              AND NOT EXISTS (SELECT 1 FROM {fact_table} r WHERE r.retracts_id = f.id)
        ), ranked AS (
            SELECT order_id, kind, offset_us, outcome, ROW_NUMBER() OVER (
                PARTITION BY order_id, kind, offset_us / {_DAY_US}
                ORDER BY offset_us DESC, outcome DESC
            ) AS nth_from_last
            FROM t
        )
        SELECT order_id,
            {join}(CASE WHEN kind = %s AND nth_from_last = 1 AND outcome NOT IN (%s, %s)
                THEN CAST(offset_us / {_DAY_US} + 1 AS TEXT) END, ','),
            {join}(CASE WHEN kind = %s AND (outcome = %s OR nth_from_last = 1 AND outcome = %s)
                THEN outcome || ':' || CAST(offset_us AS TEXT) END, ','),
            MAX(CASE WHEN kind = %s THEN offset_us END)
        FROM ranked GROUP BY order_id
    """
    test, clinic = FactKind.TEST_RESULT, FactKind.FEVER_CLINIC_VISIT
    adapt = connection.ops.adapt_datetimefield_value
    params = (
        *ids_params,
        adapt(now),
        test,
        clinic,
        adapt(now - rules.FEVER_WINDOW),
        test,
        rules.INVALID,
        rules.POSITIVE,
        test,
        rules.POSITIVE,
        rules.INVALID,
        clinic,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            _uuid(order_id): (covered or "", notes or "", clinic_us)
            for order_id, covered, notes, clinic_us in cursor.fetchall()
        }


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def _reported(in_part: QuerySet[Order], now) -> dict[uuid.UUID, list[datetime.datetime]]:
    """Feverish check-ins of the last 24 hours of the orders in `in_part`, by order."""
    reported: dict[uuid.UUID, list] = defaultdict(list)
    for order_id, reported_at in CheckIn.objects.filter(
        order_id__in=in_part.values("id"),
        fever=True,
        reported_at__gt=now - rules.FEVER_WINDOW,
        reported_at__lte=now,
    ).values_list("order_id", "reported_at"):
        reported[order_id].append(reported_at)
    return reported


def split_due(
    orders: QuerySet[Order], now: datetime.datetime | None = None
) -> tuple[list[Assessed], list[Assessed]]:
    """(ready, overdue) among the due orders of `orders`."""
    now = now or timezone.now()
    verdicts = assess(due(orders, now), now)
    ready = [item for item in verdicts.values() if item.ready]
    overdue = [item for item in verdicts.values() if not item.ready]
    return ready, overdue


def describe(problem: rules.Problem) -> str:
    """A problem as the due list and the order page say it."""
    when = date_format(timezone.localtime(problem.at), "m-d H:i") if problem.at else ""
    if problem.code == rules.MISSING_TEST:
        return _("第 %(day)s 天未检测") % {"day": problem.day}
    if problem.code == rules.POSITIVE_TEST:
        return _("第 %(day)s 天检测阳性（%(at)s）") % {"day": problem.day, "at": when}
    if problem.code == rules.INVALID_TEST:
        return _("第 %(day)s 天检测无效（%(at)s）") % {"day": problem.day, "at": when}
    return _("%(at)s 发热") % {"at": when}


def page(
    due_orders: QuerySet[Order],
    verdicts: dict[uuid.UUID, Assessed],
    *,
    status: str,
    cursor: str | None,
    size: int,
) -> tuple[list[uuid.UUID], str | None]:
    """One page of the due list ("ready", "overdue" or both when `status` is empty), earliest
    planned end first, as (order ids, next cursor). The verdicts are computed for all due orders
    at once, so the page is cut from them in memory: InvalidCursor for a cursor not issued."""
    keys = sorted(
        (end, pk)
        for pk, end in due_orders.values_list("pk", "planned_end_at")
        if pk in verdicts and (not status or verdicts[pk].ready == (status == "ready"))
    )
    if cursor:
        end, pk = decode_cursor(cursor, 2)
        try:
            after = (datetime.datetime.fromisoformat(str(end)), uuid.UUID(str(pk)))
            keys = [key for key in keys if key > after]
        except (ValueError, TypeError) as exc:
            raise InvalidCursor("cursor is not one this server issued") from exc
    shown, rest = keys[:size], keys[size:]
    return [pk for _end, pk in shown], encode_cursor(shown[-1]) if rest else None
