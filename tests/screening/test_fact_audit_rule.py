"""One audit rule for every fact (docs/health.md, "Audit"): the fact row names its actor,
source and time and is its own record; no ObjectChange is written for a fact, on any path."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from fangyi.core.models import ObjectChange
from fangyi.health import services as health
from fangyi.health.models import Fact
from fangyi.ledgers import services as ledgers
from fangyi.screening.lab import services as lab
from tests.ledgers.support import write_csv
from tests.support import as_resident, client_for, post, send

from .lab_support import ago, filled_tube, lab_user, residents, result

pytestmark = pytest.mark.django_db


def _own_record(facts, *, source: str, actor_name: str) -> None:
    assert facts, "the path wrote no fact"
    for fact in facts:
        assert fact.source == source and fact.actor_name == actor_name
        assert fact.recorded_at is not None
    assert not ObjectChange.objects.filter(object_type="health.fact").exists()


def test_one_fact_through_the_service(city, worker_a):
    health.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind="test_result",
        occurred_at=ago(hours=1),
        outcome="negative",
        variant="single",
    )
    _own_record(list(Fact.objects.all()), source="manual", actor_name="worker_a")


def test_a_list_of_facts_through_the_api(city, officer):
    body = [
        {
            "person": str(city.person_a.pk),
            "kind": "test_result",
            "occurred_at": ago(hours=1).isoformat(),
            "outcome": "negative",
            "variant": "pooled",
        }
    ] * 3
    response = send(client_for(officer), "post", "/api/v1/health/facts", body)
    assert response.status_code in (200, 201)
    _own_record(list(Fact.objects.all()), source="api", actor_name="officer")


def test_a_residents_declaration(city):
    response = post(
        as_resident(city.person_a), "/api/v1/me/declarations/health", {"temperature": 36.6}
    )
    assert response.status_code == 201
    fact = Fact.objects.get()
    _own_record([fact], source="portal", actor_name=fact.actor_name)
    assert fact.actor_name


def test_lab_results(city, sampler, site, round_now):
    staff = lab_user(city)
    filled_tube(sampler, site, "N0001", residents(city, 5))
    lab.record_results(actor=staff, items=[result("N0001", "negative")])
    _own_record(list(Fact.objects.all()), source="lab", actor_name="lab")
    # What the result caused is in the tube's own audit row.
    change = ObjectChange.objects.get(object_type="screening.tube", action="update")
    assert change.after["member_fact"] == "test_result"


def test_the_lab_results_ledger(city, sampler, site, round_now, settings, tmp_path):
    settings.FANGYI_LEDGER_DIR = tmp_path / "ledgers"
    staff = lab_user(city)
    filled_tube(sampler, site, "P0001", residents(city, 5))
    tested = timezone.localtime(ago(minutes=5)).strftime("%Y-%m-%d %H:%M")
    path = write_csv(
        tmp_path / "结果.csv",
        [["条码", "结果", "CT值", "检测时间"], ["P0001", "阳性", "30", tested]],
    )
    _job, outcome = ledgers.import_path(actor=staff, ledger="lab-results", path=path)
    assert not outcome.error_rows
    _own_record(list(Fact.objects.all()), source="lab", actor_name="lab")


def test_the_demo_seed():
    call_command("seed", "--residents", "300", "--seed", "3", "--as-of", "2026-03-01")
    _own_record(list(Fact.objects.all()[:50]), source="demo", actor_name="demo")


def test_the_bulk_form_checks_the_actor_unless_the_caller_has(city, worker_a):
    row = (
        "0190b5a4-0000-7000-8000-000000000001",
        str(city.person_b.pk),
        city.person_b.region_path,
        "test_result",
        ago(hours=1),
        timezone.now(),
        "negative",
        "single",
        "",
        {},
    )
    with pytest.raises(PermissionDenied):
        health.record_facts_in_bulk(actor=worker_a, source="import", rows=[row])
    assert not Fact.objects.exists()
    written = health.record_facts_in_bulk(
        actor=worker_a,
        source="import",
        rows=[row[:1] + (str(city.person_a.pk), city.person_a.region_path) + row[3:]],
    )
    assert written == 1
    _own_record(list(Fact.objects.all()), source="import", actor_name="worker_a")
    assert Fact.objects.get().occurred_at < timezone.now() - datetime.timedelta(minutes=30)
