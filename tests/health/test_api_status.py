"""A person's current colour through the API, with the reasons a resident can read."""

import datetime

from django.utils import timezone

from fangyi.health import services
from fangyi.health.models import FactKind, Policy
from tests.support import client_for


def test_a_person_with_no_facts_is_green_under_the_plan_in_force(city, worker_a):
    response = client_for(worker_a).get(f"/api/v1/persons/{city.person_a.pk}/status")

    assert response.status_code == 200
    status = response.json()
    assert status["person"] == str(city.person_a.pk)
    assert status["colour"] == "green"
    assert status["reasons"] == []
    assert status["manual"] is False
    assert status["policy_version"] == Policy.objects.in_force().label
    assert status["computed_at"]


def test_the_reasons_point_at_the_facts_behind_the_colour(city, worker_a):
    fact = services.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind=FactKind.CLOSE_CONTACT,
        occurred_at=timezone.now() - datetime.timedelta(days=1),
    )

    status = client_for(worker_a).get(f"/api/v1/persons/{city.person_a.pk}/status").json()

    assert status["colour"] == "red"
    [reason] = status["reasons"]
    assert reason["code"] == "close_contact_quarantine"
    assert reason["facts"] == [str(fact.pk)]
    assert reason["zh"].startswith("密切接触者") and reason["en"].startswith("Close contact")
    assert reason["until"] and status["valid_until"]
