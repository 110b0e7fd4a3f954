"""Claiming at the same moment on PostgreSQL, each claimer on a connection of their own, as
phones on different web workers are: one claimer only gets each delivery."""

import threading

import pytest
from django.db import connection

from fangyi.core.models import ObjectChange
from fangyi.fieldwork import services
from fangyi.fieldwork.models import Task
from tests.factories import staff
from tests.support import later

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections"),
    pytest.mark.django_db(transaction=True),
]


def _claim_all_at_once(claimers, tasks) -> dict:
    """Every claimer tries every task, starting together; answers task id -> winners."""
    start = threading.Barrier(len(claimers))
    won: dict = {task.pk: [] for task in tasks}
    lost: list = []
    guard = threading.Lock()

    def run(user, order):
        try:
            start.wait()
            for task in order:
                try:
                    services.claim(actor=user, task=Task.objects.get(pk=task.pk))
                except services.ClaimConflict:
                    with guard:
                        lost.append(task.pk)
                else:
                    with guard:
                        won[task.pk].append(user.pk)
        finally:
            connection.close()

    threads = [
        # Half go through the list forwards and half backwards, so that they meet throughout.
        threading.Thread(target=run, args=(user, tasks if i % 2 else tasks[::-1]))
        for i, user in enumerate(claimers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"won": won, "lost": lost}


def test_ten_volunteers_tapping_at_once_one_gets_it(city, leader_a):
    delivery = services.create_task(
        actor=leader_a, kind="delivery", household=city.household_a, due_at=later(hours=12)
    )
    claimers = [staff("volunteer", city.grid_a, username=f"v{i}") for i in range(10)]
    outcome = _claim_all_at_once(claimers, [delivery])
    winners = outcome["won"][delivery.pk]
    assert len(winners) == 1 and len(outcome["lost"]) == 9
    assert Task.objects.get(pk=delivery.pk).assignee_id == winners[0]
    claims = ObjectChange.objects.filter(object_id=str(delivery.pk), action="update")
    assert claims.count() == 1


def test_many_claimers_many_deliveries_no_double_claims(city, leader_a):
    deliveries = [
        services.create_task(
            actor=leader_a,
            kind="delivery",
            household=city.household_a,
            title=f"蔬菜包 {n}",
            due_at=later(hours=12),
        )
        for n in range(20)
    ]
    claimers = [staff("grid_worker", city.grid_a, username=f"w{i}") for i in range(6)]
    outcome = _claim_all_at_once(claimers, deliveries)
    assert all(len(winners) == 1 for winners in outcome["won"].values())
    assert len(outcome["lost"]) == 20 * 5
    stored = dict(Task.objects.filter(pk__in=outcome["won"]).values_list("pk", "assignee_id"))
    assert stored == {pk: winners[0] for pk, winners in outcome["won"].items()}
