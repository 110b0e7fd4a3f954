"""`fangyi screening home-tasks`: the background way to make home-sampling tasks."""

import json
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fangyi.fieldwork.models import Task
from fangyi.screening.campaigns import services as campaign_services
from fangyi.screening.tasks import home_tasks_for_running_rounds_task
from tests.support import ago, run_queued_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def bedridden(city):
    city.person_a.is_bedridden = True
    city.person_a.save()
    city.person_b.is_bedridden = True
    city.person_b.save()


def _run(*args) -> list:
    out = StringIO()
    call_command("screening", "home-tasks", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_round_and_a_region(city, bedridden, round_now):
    first = _run("--round", str(round_now.pk), "--region", city.grid_a.code)
    assert [(o["eligible"], o["created"], o["existing"]) for o in first] == [(1, 1, 0)]
    again = _run("--round", str(round_now.pk))
    assert [(o["eligible"], o["created"], o["existing"]) for o in again] == [(2, 1, 1)]
    assert Task.objects.filter(created_by=None).count() == 2


def test_every_running_round(city, officer, bedridden, campaign, round_now):
    over = campaign_services.create_campaign(actor=officer, name="上一次", regions=[city.community])
    campaign_services.add_round(
        actor=officer, campaign=over, starts_at=ago(days=3), deadline=ago(days=2)
    )
    outcomes = _run("--running")
    assert [(o["campaign"], o["created"]) for o in outcomes] == [("三坊社区全员核酸", 2)]


def test_unknown_round_or_region(city, round_now):
    with pytest.raises(CommandError, match="no round has the id"):
        call_command("screening", "home-tasks", "--round", str(uuid.uuid4()))
    with pytest.raises(CommandError, match="not a round id"):
        call_command("screening", "home-tasks", "--round", "12")
    with pytest.raises(CommandError, match="no region has the code"):
        call_command("screening", "home-tasks", "--round", str(round_now.pk), "--region", "9")


def test_a_round_that_is_over(city, officer, campaign):
    over = campaign_services.add_round(
        actor=officer, campaign=campaign, starts_at=ago(days=3), deadline=ago(days=2)
    )
    with pytest.raises(CommandError, match="已截止"):
        call_command("screening", "home-tasks", "--round", str(over.pk))


@pytest.mark.tasks
@pytest.mark.django_db(transaction=True)
def test_the_periodic_sweep_is_the_same_on_the_task_worker(city, bedridden, round_now):
    result = home_tasks_for_running_rounds_task.enqueue()
    run_queued_tasks()
    result.refresh()
    assert result.return_value == {"rounds": 1, "created": 2}
    assert Task.objects.filter(created_by=None).count() == 2
    assert _run("--running")[0]["existing"] == 2
