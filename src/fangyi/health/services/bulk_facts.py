"""Facts by the million: rows a caller has checked, and the members of screening groups."""

import datetime
import uuid
from dataclasses import dataclass, fields
from operator import itemgetter

from django.db import connection
from django.db.models import Q

from fangyi.core.audit import actor_fields
from fangyi.core.bulk import JSONText, TableWriter, time_ordered_ids
from fangyi.core.permissions import ADD, require
from fangyi.core.sql import among

from .. import recompute
from ..area import FACT
from ..models import Fact, FactKind
from ..signals import RecordedFact, announce

# The columns of a row for `record_facts_in_bulk`, in order.
BULK_FACT_COLUMNS = [
    "id",
    "person_id",
    "region_path",
    "kind",
    "occurred_at",
    "recorded_at",
    "outcome",
    "variant",
    "source_ref",
    "details",
]


def record_facts_in_bulk(
    *, actor, source: str, rows: list[tuple], authorised: bool = False, actor_name: str = ""
) -> int:
    """Appends facts given as tuples in BULK_FACT_COLUMNS order (ids as text or UUIDs, times
    as datetimes or ISO text, details as dicts or `core.bulk.JSONText`); answers how many.

    For writers of a million facts (lab results, the demo city), through core.bulk: COPY on
    PostgreSQL. Rows are not checked one by one: callers build them from data they have
    checked, and `authorised` says the caller has checked the actor's right to cause them
    (a lab's results; the seed). Otherwise the actor needs FACT ADD over every region
    written. Callers bring statuses up to date (`schedule_for_persons`), as they know which
    facts can change a colour. Written in the order given: sorted by person, the rows walk
    the (person, time) index once instead of scattering over it.
    """
    if not authorised:
        for path in {row[2] for row in rows}:
            require(actor, FACT, ADD, path)
    who = actor_fields(actor)
    writer = TableWriter(
        Fact,
        BULK_FACT_COLUMNS,
        {
            "retracts_id": None,
            "source": source,
            "actor_id": str(who["actor"].pk) if who["actor"] is not None else None,
            "actor_name": actor_name or who["actor_name"],
        },
    )
    writer.write(rows)
    announce([_recorded(row) for row in rows if row[3] != FactKind.TEST_RESULT])
    return len(rows)


def _recorded(row: tuple) -> RecordedFact:
    occurred_at = row[4]
    if isinstance(occurred_at, str):
        occurred_at = datetime.datetime.fromisoformat(occurred_at)
    return RecordedFact(uuid.UUID(str(row[0])), uuid.UUID(str(row[1])), row[3], occurred_at)


@dataclass(frozen=True)
class FactTemplate:
    """What the facts of a group of persons share (a tube's members): all but the person,
    their region and the time. `details` is JSON text, encoded once for the group."""

    kind: str
    outcome: str
    variant: str
    source_ref: str
    details: str


# A template's fields, as a MembersStatement carries them to each member.
FACT_TEMPLATE_COLUMNS = [field.name for field in fields(FactTemplate)]


def fact_template_columns(templates: list[FactTemplate]) -> dict[str, list[str]]:
    """The templates as text columns (FACT_TEMPLATE_COLUMNS), one value per group in the
    order given: what a MembersStatement unnests beside its groups' keys and returns with
    each member."""
    return {
        name: [getattr(template, name) for template in templates] for name in FACT_TEMPLATE_COLUMNS
    }


@dataclass(frozen=True)
class MembersStatement:
    """A statement, run inside the facts' own, whose rows are the members of the groups,
    each with its group's fact template: person_id, occurred_at, region_path and the
    FACT_TEMPLATE_COLUMNS (from `fact_template_columns`), named so. On PostgreSQL the
    members then never pass through Python (the samples of a city's round are a million
    rows).

    The templates travel inside the statement, keyed by the group's own id, rather than
    being joined to its rows afterwards: on a join of two computed relations the planner
    guesses a 200th of their product, ten times too many rows for 5,000 tubes, and the
    statement's cost then crosses PostgreSQL's JIT thresholds (about a second of
    compiling per statement; docs/benchmarks.md, finding 13)."""

    sql: str
    params: dict


def record_member_facts(
    *,
    actor,
    source: str,
    members: "list[tuple] | MembersStatement",
    now: datetime.datetime,
) -> tuple[int, set[str]]:
    """A fact for each member whose group's template has a kind, recorded at `now`;
    answers how many, and the persons whose colour they can change: those whose new fact
    can colour them, and those who already had such a fact (for everyone else a negative
    test changes nothing, which spares recomputing a city after a round of screening).

    `members` are (person id, occurred at, region path, FactTemplate) rows, or on
    PostgreSQL a `MembersStatement`. Like `record_facts_in_bulk`, for callers who checked
    the actor's right to cause these facts (a lab's results); they bring the statuses up to
    date.
    """
    if isinstance(members, MembersStatement):
        return _member_facts_in_database(actor, source, members, now)
    ids = iter(time_ordered_ids(len(members)))
    recorded_at = now.isoformat() if connection.vendor == "postgresql" else now
    rows = []
    for person_id, occurred_at, path, fact in members:
        if fact.kind:
            rows.append(
                (next(ids), person_id, path, fact.kind, occurred_at, recorded_at, fact.outcome,
                 fact.variant, fact.source_ref, JSONText(fact.details))
            )  # fmt: skip
    # In the order of the index on (person, time): one pass over it, not a scatter.
    rows.sort(key=itemgetter(1))
    risky = {row[1] for row in rows if _can_colour(row[3], row[6])}
    quiet = [row[1] for row in rows if row[1] not in risky]
    for start in range(0, len(quiet), 10_000):
        part = quiet[start : start + 10_000]
        risky.update(
            str(pk)
            for pk in Fact.objects.filter(among("person_id", part, kind="uuid"))
            .filter(CAN_COLOUR)
            .values_list("person_id", flat=True)
            .distinct()
        )
    written = record_facts_in_bulk(actor=actor, source=source, rows=rows, authorised=True)
    return written, risky


# A fact that can colour a person, as recompute.RISK and the partial index fact_risk say.
CAN_COLOUR = ~Q(kind__in=[FactKind.TEST_RESULT, FactKind.HEALTH_DECLARATION]) | Q(
    outcome="positive"
)


def _can_colour(kind: str, outcome: str) -> bool:
    """Whether a fact can colour a person, as CAN_COLOUR."""
    return kind not in (FactKind.TEST_RESULT, FactKind.HEALTH_DECLARATION) or outcome == "positive"


# The members' facts in one statement: inserted from the members' rows, with ids made of a
# time-ordered prefix and a counter (core.bulk.time_ordered_ids), in the order rows are
# inserted. The final SELECT sees the database as it was before the statement: a member with
# a colouring fact had one already. Its two halves are not one OR: an EXISTS inside an OR is
# priced once per member, which alone took a statement of 5,000 tubes past jit_above_cost.
MEMBER_FACTS_SQL = f"""
WITH members AS ({{members}}),
facts AS (
    INSERT INTO {Fact._meta.db_table} (id, person_id, region_path, kind, occurred_at,
        recorded_at, outcome, variant, retracts_id, source, source_ref, actor_id, actor_name,
        details)
    SELECT (%(f_prefix)s || lpad(to_hex(%(f_start)s + row_number() OVER w), 12, '0'))::uuid,
        person_id, region_path, kind, occurred_at, %(f_now)s, outcome, variant, NULL,
        %(f_source)s, source_ref, %(f_actor_id)s, %(f_actor_name)s, details::jsonb
    FROM members WHERE kind <> ''
    WINDOW w AS (ORDER BY person_id, occurred_at)
    ORDER BY person_id, occurred_at
    RETURNING 1
)
SELECT (SELECT count(*) FROM facts), array(
    SELECT m.person_id::text FROM members AS m
    WHERE m.kind <> '' AND (
        NOT (m.kind IN ('{FactKind.TEST_RESULT.value}', '{FactKind.HEALTH_DECLARATION.value}'))
        OR m.outcome = 'positive'
    )
    UNION
    SELECT m.person_id::text FROM members AS m
    WHERE m.kind <> '' AND EXISTS (
        SELECT 1 FROM {Fact._meta.db_table} AS f
        WHERE f.person_id = m.person_id AND {recompute.RISK}
    )
)
"""


def _member_facts_in_database(actor, source, members: MembersStatement, now):
    who = actor_fields(actor)
    first = time_ordered_ids(1)[0]
    params = members.params | {
        "f_prefix": first[:24],
        "f_start": int(first[24:], 16),
        "f_now": now,
        "f_source": source,
        "f_actor_id": str(who["actor"].pk) if who["actor"] is not None else None,
        "f_actor_name": who["actor_name"],
    }
    with connection.cursor() as cursor:
        cursor.execute(MEMBER_FACTS_SQL.replace("{members}", members.sql), params)
        written, persons = cursor.fetchone()
    return written, set(persons)
