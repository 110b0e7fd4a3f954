"""Release readiness of many orders at once: "orders never stay open silently".

Every running order past its planned end is either ready (rules.readiness) or overdue with its
reasons. The orders are read in slices of SLICE; the facts and check-ins of a slice are read in
three queries, whatever their number, and the pure rules run over them in memory: no query
per order.
"""

import datetime
import uuid
from collections import defaultdict
from typing import NamedTuple

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
        part = list(ordered.values_list("id", "person_id", "started_at", "test_days")[:SLICE])
        if not part:
            return result
        after = part[-1][0]
        in_part = started.filter(id__gte=part[0][0], id__lte=after)
        tests, clinic, reported = _evidence(part, in_part, now)
        for order_id, person_id, started_at, test_days in part:
            assert started_at is not None  # filtered above
            verdict = rules.readiness(
                start=started_at,
                test_days=test_days or (),
                tests=tests.get(person_id, ()),
                fevers=[*reported.get(order_id, ()), *clinic.get(person_id, ())],
                now=now,
            )
            result[order_id] = Assessed(order_id, verdict.ready, verdict.problems)


def _evidence(rows, in_part: QuerySet[Order], now):
    """Test results since the earliest start, and fevers of the last 24 hours, of the orders
    in `rows` (`in_part`, the same orders as a query): tests by person, fever-clinic visits by
    person, feverish check-ins by order."""
    persons = in_part.values("person_id")
    earliest = min(row[2] for row in rows)
    since = now - rules.FEVER_WINDOW
    retracted = Fact.objects.filter(kind=FactKind.RETRACTION, person_id__in=persons).values_list(
        "retracts_id", flat=True
    )
    tests: dict[uuid.UUID, list[rules.LabResult]] = defaultdict(list)
    facts = (
        Fact.objects.filter(
            person_id__in=persons,
            kind__in=[FactKind.TEST_RESULT, FactKind.FEVER_CLINIC_VISIT],
            occurred_at__gte=min(earliest, since),
            occurred_at__lte=now,
        )
        .exclude(pk__in=retracted)
        .values_list("person_id", "kind", "occurred_at", "outcome")
    )
    clinic: dict[uuid.UUID, list] = defaultdict(list)
    for person_id, kind, occurred_at, outcome in facts:
        if kind == FactKind.TEST_RESULT:
            tests[person_id].append(rules.LabResult(occurred_at, outcome))
        elif occurred_at > since:
            clinic[person_id].append(occurred_at)
    reported: dict[uuid.UUID, list] = defaultdict(list)
    for order_id, reported_at in CheckIn.objects.filter(
        order_id__in=in_part.values("id"), fever=True, reported_at__gt=since, reported_at__lte=now
    ).values_list("order_id", "reported_at"):
        reported[order_id].append(reported_at)
    return tests, clinic, reported


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
