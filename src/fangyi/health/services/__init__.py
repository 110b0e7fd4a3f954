"""The only place that changes health data: check permission, validate, write, audit, recompute.

Keyword-only functions, as in people.services. Facts are the record: each one carries who
recorded it, when, from which source and reference, and is never changed afterwards, so a
fact row is its own audit record and no ObjectChange is written for it (docs/health.md,
"Audit"). Every fact, one at a time or a million from a lab, is written here.
"""

from .appeals import (
    decide_appeal,
    file_appeal,
)
from .bulk_facts import (
    BULK_FACT_COLUMNS,
    CAN_COLOUR,
    FACT_TEMPLATE_COLUMNS,
    MEMBER_FACTS_SQL,
    FactTemplate,
    MembersStatement,
    fact_template_columns,
    record_facts_in_bulk,
    record_member_facts,
)
from .decisions import (
    MAX_MANUAL,
    approve_decision,
    propose_decision,
    revoke_decision,
)
from .facts import (
    CLOCK_SKEW,
    EARLIEST,
    FACT_FIELDS,
    TEMPERATURE_RANGE,
    FactInput,
    check_fact,
    record_declared_fact,
    record_fact,
    record_facts,
    retract_fact,
)
from .scheduling import (
    current_status,
    recomputed_together,
    residents_moved_receiver,
    retry_recompute,
    schedule_everyone,
    schedule_for_paths,
    schedule_for_persons,
    switch_policy,
)
from .zones import (
    ZoneState,
    draw_zone,
    lift_zone,
    zone_state,
)

__all__ = [
    "EARLIEST",
    "CLOCK_SKEW",
    "TEMPERATURE_RANGE",
    "FACT_FIELDS",
    "FactInput",
    "check_fact",
    "record_facts",
    "record_fact",
    "record_declared_fact",
    "retract_fact",
    "BULK_FACT_COLUMNS",
    "record_facts_in_bulk",
    "FactTemplate",
    "FACT_TEMPLATE_COLUMNS",
    "fact_template_columns",
    "MembersStatement",
    "record_member_facts",
    "CAN_COLOUR",
    "MEMBER_FACTS_SQL",
    "schedule_for_persons",
    "recomputed_together",
    "residents_moved_receiver",
    "schedule_for_paths",
    "schedule_everyone",
    "switch_policy",
    "retry_recompute",
    "current_status",
    "draw_zone",
    "lift_zone",
    "ZoneState",
    "zone_state",
    "file_appeal",
    "decide_appeal",
    "MAX_MANUAL",
    "propose_decision",
    "approve_decision",
    "revoke_decision",
]
