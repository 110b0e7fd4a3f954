"""`fangyi seed --demo-staff` whitelists four couriers once, one whose test is older than 48
hours."""

import io
import json
import time

import pytest
from django.core.management import call_command

from fangyi.codes.services import verify_here
from fangyi.passes import services
from fangyi.passes.models import SupplyPass


def seed() -> dict:
    out = io.StringIO()
    call_command("seed", "--residents", "600", "--seed", "5", "--demo-staff", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_the_demo_has_couriers_one_with_an_old_test():
    summary = seed()["passes"]
    assert summary["passes"] == 4 and len(set(summary["phones"])) == 4
    now = time.time()
    tested = [
        verify_here(services.holder_pass(supply_pass.person).code.text).claims["tested_at"]
        for supply_pass in SupplyPass.objects.order_by("created_at")
    ]
    assert all(now - at < 31 * 3600 for at in tested[:3])
    assert now - tested[3] > 60 * 3600
    assert seed()["passes"] == summary
