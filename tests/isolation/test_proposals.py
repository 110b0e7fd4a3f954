"""Facts propose orders to place: close and secondary contacts, arrivals, recovered cases;
once per fact and per person, from the health signal or the periodic catch-up."""

import pathlib
import re
import uuid

import pytest
from django.utils import timezone

import fangyi.health
from fangyi.health import services as health
from fangyi.health.models import Policy
from fangyi.health.signals import facts_recorded
from fangyi.isolation import proposals
from fangyi.isolation.models import Order, OrderState
from tests.isolation.support_orders import contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def test_a_close_contact_is_proposed_with_the_term_of_the_plan_in_force(city, officer, capture):
    fact = capture(contact, officer, city.person_a)
    order = Order.objects.get(person=city.person_a)
    assert order.state == OrderState.TO_PLACE
    assert order.reason_fact_id == fact.pk
    assert (order.kind, order.term_days, order.test_days) == ("centralised", 7, [1, 2, 3, 5, 7])
    assert order.policy.code == "2022-06-9th"
    assert order.household_id == city.household_a.pk
    assert order.region_path == city.person_a.region_path
    event = order.events.get()
    assert (event.from_state, event.to_state) == ("", OrderState.TO_PLACE)


@pytest.mark.parametrize(
    ("kind", "reason", "order_kind"),
    [
        ("secondary_contact", "secondary_contact", "home"),
        ("arrival_from_risk_area", "arrival", "home"),
        ("recovered", "recovered", "home_monitoring"),
    ],
)
def test_other_reasons_are_proposed_too(city, officer, capture, kind, reason, order_kind):
    capture(contact, officer, city.person_a, kind)
    order = Order.objects.get(person=city.person_a)
    assert (order.reason, order.kind) == (reason, order_kind)


def test_a_second_fact_for_someone_with_an_open_order_proposes_nothing(city, officer, capture):
    capture(contact, officer, city.person_a)
    capture(contact, officer, city.person_a, "secondary_contact")
    assert Order.objects.filter(person=city.person_a).count() == 1


def test_other_facts_propose_nothing(city, officer, capture):
    capture(contact, officer, city.person_a, "fever_clinic_visit")
    assert not Order.objects.exists()


def test_a_plan_that_does_not_trace_a_reason_proposes_nothing(city, officer, capture):
    Policy.objects.update(in_force=False)
    Policy.objects.filter(code="2022-11-20m").update(in_force=True)
    capture(contact, officer, city.person_a, "secondary_contact")
    assert not Order.objects.exists()


def test_proposing_the_same_facts_again_changes_nothing(city, officer, capture):
    fact = capture(contact, officer, city.person_a)
    assert proposals.propose([fact]) == []
    assert Order.objects.count() == 1


def test_the_catch_up_proposes_what_the_signal_missed_once(city, officer):
    # Without the commit callbacks run, the signal's receiver never ran.
    contact(officer, city.person_a)
    contact(officer, city.person_b, "arrival_from_risk_area")
    assert not Order.objects.exists()
    assert proposals.catch_up() == 2
    assert proposals.catch_up() == 0
    assert set(Order.objects.values_list("reason", flat=True)) == {"close_contact", "arrival"}


def test_the_catch_up_skips_facts_covered_by_an_order_since_ended(city, officer, capture):
    capture(contact, officer, city.person_a)
    contact(officer, city.person_a, "secondary_contact")  # came while the order was open
    Order.objects.update(state=OrderState.CANCELLED, ended_at=timezone.now())
    assert proposals.catch_up() == 0


def test_the_catch_up_skips_retracted_facts(city, officer):
    fact = contact(officer, city.person_a)
    health.retract_fact(actor=officer, fact=fact, reason="录入错误")
    assert proposals.catch_up() == 0


def test_health_does_not_import_isolation():
    root = pathlib.Path(fangyi.health.__file__).parent
    importing = re.compile(r"^\s*(from|import)\s+\S*isolation", re.MULTILINE)
    for path in root.rglob("*.py"):
        assert not importing.search(path.read_text(encoding="utf-8")), path


def test_a_fact_whose_term_is_over_already_proposes_nothing(city, officer):
    fact = contact(officer, city.person_a, hours_ago=24 * 7 + 1)
    assert proposals.propose([fact]) == []
    fact = contact(officer, city.person_b, hours_ago=24 * 7 - 1)
    assert len(proposals.propose([fact])) == 1


def test_a_failing_receiver_never_breaks_recording_a_fact(city, officer, capture, caplog):
    def broken(sender, facts, **kwargs):
        raise RuntimeError("receiver down")

    facts_recorded.connect(broken, dispatch_uid="test.broken")
    try:
        fact = capture(contact, officer, city.person_a)
    finally:
        facts_recorded.disconnect(dispatch_uid="test.broken")
    assert fact.pk
    assert Order.objects.filter(reason_fact=fact).exists()
    assert "receiver down" in caplog.text


def test_the_bulk_writer_announces_contacts_but_not_test_results(city, officer, capture):
    now = timezone.now()
    rows = [
        (uuid.uuid4(), city.person_a.pk, city.person_a.region_path, "close_contact", now, now,
         "", "", "", {}),
        (uuid.uuid4(), city.person_b.pk, city.person_b.region_path, "test_result", now, now,
         "negative", "single", "", {}),
    ]  # fmt: skip
    heard = []

    def listen(sender, facts, **kwargs):
        heard.extend(facts)

    facts_recorded.connect(listen, dispatch_uid="test.listen")
    try:
        capture(health.record_facts_in_bulk, actor=officer, source="import", rows=rows)
    finally:
        facts_recorded.disconnect(dispatch_uid="test.listen")
    assert [fact.kind for fact in heard] == ["close_contact"]
    assert Order.objects.get().person_id == city.person_a.pk
