"""`fangyi seed --demo-staff` opens one investigation with a three-generation chain, once."""

import io
import json

import pytest
from django.core.management import call_command

from fangyi.fieldwork.models import Task
from fangyi.investigations import chains
from fangyi.investigations.models import Investigation


def seed() -> dict:
    out = io.StringIO()
    call_command("seed", "--residents", "1500", "--seed", "5", "--demo-staff", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_the_seed_makes_a_three_generation_chain_once():
    summary = seed()
    assert summary["investigations"]["created"] is True
    root = Investigation.objects.get(generation=0)
    assert Investigation.objects.filter(chain_root=root).count() == 3
    figure = chains.figures([root])[0]
    assert figure.generations == 3
    assert figure.size >= 6
    assert root.consultation_at is not None
    assert Task.objects.filter(kind="locate_contact").count() == 1
    assert root.places.exists() and root.team.exists()
    again = seed()
    assert again["investigations"]["created"] is False
    assert Investigation.objects.count() == 3
