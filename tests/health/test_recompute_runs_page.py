"""The plans page lists the recomputes that rewrite many statuses, says when one has stalled,
and lets those who may switch plans (commanders) run a failed one again."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fangyi.core.models import ObjectChange
from fangyi.health.models import RecomputeRun
from tests.support import run_queued_tasks, signed_in

State = RecomputeRun.State
PAGE = "/health/policies/"


def _row(html: str, run: RecomputeRun) -> str:
    return html.split(f'data-run="{run.pk}"', 1)[1].split("</tr>", 1)[0]


def test_a_running_recompute_whose_worker_died_is_said_to_have_stalled(city, officer):
    silent = timezone.now() - datetime.timedelta(hours=1)
    dead = RecomputeRun.objects.create(
        scope="all",
        state=State.RUNNING,
        worker="some-other-host:4242:1",
        progressed_at=silent,
        persons_done=5000,
    )
    moving = RecomputeRun.objects.create(
        scope="under", targets=["350102"], state=State.RUNNING, progressed_at=timezone.now()
    )

    html = signed_in(officer).get(PAGE).content.decode()

    assert 'data-stalled="yes"' in _row(html, dead)
    assert "5000" in _row(html, dead)
    assert "data-stalled" not in _row(html, moving)


def test_a_run_queued_with_no_worker_for_long_is_said_to_have_stalled(city, officer):
    run = RecomputeRun.objects.create(scope="all", state=State.QUEUED)
    RecomputeRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )

    html = signed_in(officer).get(PAGE).content.decode()

    assert 'data-stalled="yes"' in _row(html, run)


def test_a_persons_recompute_is_not_listed(city, officer):
    run = RecomputeRun.objects.create(scope="persons", targets=["x"], state=State.DONE)

    html = signed_in(officer).get(PAGE).content.decode()

    assert str(run.pk) not in html


def test_the_page_says_when_there_is_none(city, officer):
    html = signed_in(officer).get(PAGE).content.decode()

    assert "还没有大范围的重新计算" in html


@pytest.mark.tasks
@pytest.mark.django_db(transaction=True)
def test_a_failed_recompute_is_run_again_from_the_start(city, commander):
    run = RecomputeRun.objects.create(
        scope="all", state=State.FAILED, attempts=3, message="worker died", persons_done=10
    )
    browser = signed_in(commander)
    html = browser.get(PAGE).content.decode()
    assert reverse("health:recompute-retry", args=[run.pk]) in _row(html, run)

    response = browser.post(reverse("health:recompute-retry", args=[run.pk]))

    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.state, run.attempts, run.message) == (State.QUEUED, 0, "")
    assert ObjectChange.objects.filter(object_id=str(run.pk)).count() == 1
    run_queued_tasks()
    run.refresh_from_db()
    assert run.state == State.DONE
    assert run.persons_done == 2


def test_only_a_failed_recompute_can_be_run_again(city, commander):
    run = RecomputeRun.objects.create(scope="all", state=State.DONE)

    response = signed_in(commander).post(reverse("health:recompute-retry", args=[run.pk]))

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.state == State.DONE
    assert not ObjectChange.objects.filter(object_id=str(run.pk)).exists()
