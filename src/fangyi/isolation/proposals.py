"""Orders proposed from facts: every new close contact, secondary contact, arrival from a risk
area or recovered case puts an order "to place" in the queue, with the term of the plan in force.

Idempotent twice over, by the model's constraints: one order per fact (`reason_fact`), and one
open order per person, so that a second fact for someone already under an order proposes
nothing. Proposals come from the health signal `facts_recorded` (connected in apps.py) and,
for anything a failed receiver missed, from the periodic catch-up (`catch_up`).
"""

import datetime
import uuid

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import audit
from fangyi.core.models import ObjectChange
from fangyi.health.models import Fact, FactKind, Policy
from fangyi.people.models import Person

from . import rules
from .models import OPEN_STATES, Order, OrderEvent, OrderReason, OrderState

REASONS = {
    FactKind.CLOSE_CONTACT: OrderReason.CLOSE_CONTACT,
    FactKind.SECONDARY_CONTACT: OrderReason.SECONDARY_CONTACT,
    FactKind.ARRIVAL_FROM_RISK_AREA: OrderReason.ARRIVAL,
    FactKind.RECOVERED: OrderReason.RECOVERED,
}
# How far back the catch-up looks: past the longest term, a fact proposes nothing useful.
CATCH_UP_WINDOW = datetime.timedelta(days=14)
BATCH = 2000


def propose(facts, *, actor=None) -> list[Order]:
    """Orders to place for the facts (RecordedFact or Fact: id, person_id, kind) that call for
    one under the plan in force; answers the orders made."""
    wanted = [fact for fact in facts if fact.kind in REASONS]
    if not wanted:
        return []
    policy = Policy.objects.in_force()
    created: list[Order] = []
    for start in range(0, len(wanted), BATCH):
        created += _propose(wanted[start : start + BATCH], policy, actor)
    return created


def _propose(facts, policy: Policy, actor) -> list[Order]:
    person_ids = {fact.person_id for fact in facts}
    busy = set(
        Order.objects.filter(person_id__in=person_ids, state__in=OPEN_STATES).values_list(
            "person_id", flat=True
        )
    )
    known = set(
        Order.objects.filter(reason_fact_id__in=[fact.id for fact in facts]).values_list(
            "reason_fact_id", flat=True
        )
    )
    persons = {
        person.pk: person
        for person in Person.objects.filter(pk__in=person_ids - busy).only(
            "id", "name", "household_id", "region_path"
        )
    }
    now = timezone.now()
    orders: list[Order] = []
    for fact in sorted(facts, key=lambda fact: fact.occurred_at, reverse=True):
        person = persons.get(fact.person_id)
        if person is None or fact.id in known:
            continue
        reason = REASONS[fact.kind]
        term = rules.term_for(policy.parameters, reason)
        # A fact recorded late, whose term is over already, has nothing left to isolate.
        if term is None or rules.planned_end(fact.occurred_at, term.days) <= now:
            continue
        # The newest fact of a person proposes; older ones of the same batch are covered.
        del persons[fact.person_id]
        order = Order(
            id=uuid.uuid4(),
            person=person,
            household_id=person.household_id,
            region_path=person.region_path,
            kind=term.kind,
            reason=reason,
            reason_fact_id=fact.id,
            policy=policy,
            term_days=term.days,
            test_days=list(term.test_days),
            state=OrderState.TO_PLACE,
            state_changed_at=now,
            created_at=now,
        )
        orders.append(order)
    if not orders:
        return []
    with transaction.atomic():
        # A concurrent proposal (the signal and the catch-up) may have won for some.
        Order.objects.bulk_create(orders, ignore_conflicts=True)
        stored = set(
            Order.objects.filter(pk__in=[order.pk for order in orders]).values_list("pk", flat=True)
        )
        orders = [order for order in orders if order.pk in stored]
        who = audit.actor_fields(actor)
        OrderEvent.objects.bulk_create(
            [
                OrderEvent(
                    order=order,
                    to_state=OrderState.TO_PLACE,
                    at=now,
                    actor=who["actor"],
                    actor_name=who["actor_name"],
                    reason=_("由健康事实自动生成"),
                    details={"fact": str(order.reason_fact_id), "policy": policy.label},
                )
                for order in orders
            ]
        )
        changes = audit.BulkChanges(actor=actor, time=now)
        for order in orders:
            changes.add(
                object_type=Order._meta.label_lower,
                object_id=order.pk,
                object_repr=str(order),
                region_path=order.region_path,
                action=ObjectChange.CREATE,
                before=None,
                after=audit.snapshot(
                    order, ["state", "kind", "reason", "reason_fact", "term_days", "test_days"]
                ),
            )
        changes.flush()
    return orders


def facts_recorded_receiver(sender, facts, **kwargs) -> None:
    propose(facts)


def catch_up(*, now: datetime.datetime | None = None) -> int:
    """Proposes for the recent facts (CATCH_UP_WINDOW) that should have proposed an order and
    did not: no order names them, they are not retracted, and their person was under no order
    when they were recorded. One query finds them, however many there are."""
    now = now or timezone.now()
    missing = (
        Fact.objects.filter(
            kind__in=list(REASONS), recorded_at__gte=now - CATCH_UP_WINDOW, recorded_at__lte=now
        )
        .exclude(Exists(Order.objects.filter(reason_fact_id=OuterRef("pk"))))
        # Someone under an order when the fact came (still, or released since) was covered.
        .exclude(
            Exists(
                Order.objects.filter(person_id=OuterRef("person_id")).filter(
                    Q(ended_at__isnull=True) | Q(ended_at__gte=OuterRef("recorded_at"))
                )
            )
        )
        .exclude(Exists(Fact.objects.filter(kind=FactKind.RETRACTION, retracts=OuterRef("pk"))))
        .only("id", "person_id", "kind", "occurred_at")
    )
    return len(propose(list(missing)))
