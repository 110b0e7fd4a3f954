"""`fangyi seed --demo-staff` makes two sites with rooms and orders in every state, once."""

import io
import json

import pytest
from django.core.management import call_command

from fangyi.isolation import readiness
from fangyi.isolation.models import Order


def seed() -> dict:
    out = io.StringIO()
    call_command("seed", "--residents", "600", "--seed", "5", "--demo-staff", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_the_demo_has_sites_and_orders_in_every_state():
    summary = seed()["isolation"]
    assert (summary["sites"], summary["rooms"]) == (2, 50)
    assert all(count >= 1 for count in summary["orders"].values()), summary["orders"]
    ready, overdue = readiness.split_due(Order.objects.all())
    assert ready and overdue
    assert seed()["isolation"] == summary
    assert Order.objects.filter(previous__isnull=False, kind="home_monitoring").exists()
