"""`fangyi seed --demo-staff` runs a screening round in the first community, once: most
residents sampled, most tubes back from the lab, one positive pool whose members turn yellow
and get retest tasks."""

import io
import json

import pytest
from django.core.management import call_command

from fangyi.fieldwork.models import Task
from fangyi.health.models import Colour, Status
from fangyi.screening.models import Campaign, Sample, Tube, TubeState

RESIDENTS = 2000


def seed(*args) -> dict:
    out = io.StringIO()
    call_command(
        "seed", "--residents", str(RESIDENTS), "--seed", "5", "--demo-staff", "--json", stdout=out
    )
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_a_round_in_the_first_community_with_one_positive_pool():
    summary = seed()["screening"]
    assert summary["created"] and summary["samples"] == Sample.objects.count() > 0
    campaign = Campaign.objects.get()
    assert (
        campaign.rounds.count() == 1 and campaign.sites.get().samplers.get().username == "sampler"
    )
    assert Tube.objects.filter(state=TubeState.RESULTED).count() == summary["resulted"]
    positive = Tube.objects.get(result="positive")
    members = set(positive.samples.values_list("person_id", flat=True))
    assert len(members) == 10
    colours = dict(Status.objects.filter(person_id__in=members).values_list("person_id", "colour"))
    assert set(colours.values()) == {Colour.YELLOW}
    assert (
        set(Task.objects.filter(source="screening:retest").values_list("person_id", flat=True))
        == members
    )
    # Not everyone came: the missing list has something to show.
    assert Sample.objects.count() < Campaign.objects.get().areas.get().region.resident_count


@pytest.mark.django_db
def test_seeding_again_adds_no_second_round():
    seed()
    samples = Sample.objects.count()
    assert seed()["screening"]["created"] is False
    assert Sample.objects.count() == samples and Campaign.objects.count() == 1
