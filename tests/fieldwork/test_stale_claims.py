"""A claim that has not moved for 2 hours goes back to the pool, by a periodic job that
records why and from whom; a claim that moved (started) counts from that move."""

import datetime

import pytest

from fangyi.core.areas import periodic_jobs
from fangyi.core.models import ObjectChange
from fangyi.fieldwork import services
from fangyi.fieldwork.models import Task
from fangyi.fieldwork.tasks import release_stale_claims_task
from tests.support import signed_in

HOLD = datetime.timedelta(hours=2)
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def claimed(delivery_a, volunteer_a):
    return services.claim(actor=volunteer_a, task=delivery_a)


def _stored(task):
    return Task.objects.get(pk=task.pk)


def test_a_claim_is_kept_until_two_hours_unmoved_then_returns(claimed, volunteer_a):
    at = claimed.claimed_at
    assert services.release_stale_claims(now=at + HOLD - SECOND) == 0
    assert _stored(claimed).assignee == volunteer_a
    assert services.release_stale_claims(now=at + HOLD) == 1
    task = _stored(claimed)
    assert task.status == "open" and task.assignee is None and task.claimed_at is None
    assert task.release_cause == "stale" and task.released_from == volunteer_a
    assert task.released_at == at + HOLD
    change = ObjectChange.objects.filter(object_id=str(task.pk)).latest("time")
    assert change.actor is None
    assert change.before["assignee"] == str(volunteer_a.pk)
    assert change.after["release_cause"] == "stale"
    assert change.after["released_from"] == str(volunteer_a.pk)
    assert services.release_stale_claims(now=at + 2 * HOLD) == 0


def test_starting_is_a_move_the_two_hours_count_from(claimed, volunteer_a):
    at = claimed.claimed_at
    services.start(actor=volunteer_a, task=claimed)
    assert _stored(claimed).started_at is not None
    # As if they had set off an hour after claiming.
    Task.objects.filter(pk=claimed.pk).update(started_at=at + HOLD / 2)
    assert services.release_stale_claims(now=at + HOLD) == 0
    assert services.release_stale_claims(now=at + HOLD / 2 + HOLD - SECOND) == 0
    assert services.release_stale_claims(now=at + HOLD / 2 + HOLD) == 1


def test_finished_and_leader_given_tasks_are_not_taken_back(
    claimed, delivery_b, leader_b, worker_b, volunteer_a
):
    services.complete(actor=volunteer_a, task=claimed, note="已送达")
    services.assign(actor=leader_b, task=delivery_b, assignee=worker_b)
    later = claimed.claimed_at + 10 * HOLD
    assert services.release_stale_claims(now=later) == 0
    assert _stored(claimed).status == "done"
    assert _stored(delivery_b).assignee == worker_b


def test_the_pool_page_and_the_task_show_why_it_came_back(claimed, volunteer_a, worker_a2):
    services.release_stale_claims(now=claimed.claimed_at + HOLD)
    pool = signed_in(worker_a2).get("/tasks/deliveries/").content.decode()
    assert "认领后 2 小时未动，自动退回" in pool
    services.claim(actor=worker_a2, task=_stored(claimed))
    page = signed_in(worker_a2).get(f"/tasks/{claimed.pk}/").content.decode()
    assert "认领后 2 小时未动，自动退回" in page and volunteer_a.display_name() in page


def test_the_job_is_declared_and_releases(claimed):
    job = next(job for job in periodic_jobs() if job.name == "fieldwork.release-stale-claims")
    assert job.every <= datetime.timedelta(minutes=10)
    Task.objects.filter(pk=claimed.pk).update(claimed_at=claimed.claimed_at - HOLD)
    assert release_stale_claims_task.call() == 1
    assert _stored(claimed).release_cause == "stale"
