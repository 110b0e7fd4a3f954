"""The home page's cards count what waits for the user, in their own scope."""

import datetime

from django.urls import reverse
from django.utils import timezone

from fangyi.accounts.models import RoleAssignment
from fangyi.health import services as health
from fangyi.health.models import FactKind, ManualDecision
from fangyi.ledgers.models import ImportJob, JobStatus
from fangyi.portal import services as portal
from tests.support import signed_in

from ..factories import staff


def _card(user, key: str) -> str:
    html = signed_in(user).get(reverse("core:home")).content.decode()
    assert f'id="card-{key}"' in html, key
    return html.split(f'id="card-{key}"', 1)[1].split("</section>", 1)[0]


def _worker_of_both_grids(city):
    """A grid worker of two grids: the home page, not one grid's page."""
    worker = staff("grid_worker", city.grid_a)
    RoleAssignment.objects.create(
        user=worker, role="grid_worker", region=city.grid_b, region_path=city.grid_b.path
    )
    return worker


def test_guardianship_requests_wait_for_the_grid_worker(city):
    worker = _worker_of_both_grids(city)
    assert "没有待核实的照顾关系申请。" in _card(worker, "guardianships")
    portal.request_guardianship(
        holder=city.person_b,
        id_number=city.person_a.id_number,
        name=city.person_a.name,
        relation="child",
    )
    card = _card(worker, "guardianships")
    assert ">1<" in card and reverse("portal:guardianship-queue") in card


def test_a_decision_waits_for_a_second_officer_not_its_proposer(city, officer):
    second = staff("officer", city.street)
    health.record_fact(
        actor=officer,
        source="manual",
        person=city.person_a,
        kind=FactKind.TEST_RESULT,
        occurred_at=timezone.now() - datetime.timedelta(hours=5),
        outcome="positive",
        variant="single",
    )
    ManualDecision.objects.create(
        person=city.person_a,
        region_path=city.person_a.region_path,
        colour="green",
        reason="复核阴性",
        expires_at=timezone.now() + datetime.timedelta(days=3),
        proposed_by=officer,
        proposed_by_name=officer.username,
    )
    assert (
        'data-empty="yes"'
        in signed_in(officer)
        .get(reverse("core:home"))
        .content.decode()
        .split('id="card-decisions"', 1)[1][:40]
    )
    card = _card(second, "decisions")
    assert ">1<" in card and "?state=pending" in card


def test_the_import_card_lists_ones_own_running_and_failed_imports(city, officer):
    other = staff("officer", city.street)
    for status in (JobStatus.RUNNING, JobStatus.FAILED, JobStatus.DONE):
        ImportJob.objects.create(
            ledger="residents",
            actor=officer,
            actor_name=officer.username,
            status=status,
            file_name=f"{status}.xlsx",
            file_size=1024,
            sha256="0" * 64,
        )
    card = _card(officer, "imports")
    assert card.count('class="list-group-item') == 2
    assert "running.xlsx" in card and "failed.xlsx" in card and "done.xlsx" not in card
    assert "进行中" in card and "失败" in card
    assert "近 7 天没有进行中或失败的导入。" in _card(other, "imports")


def test_a_zone_meeting_its_lifting_criteria_is_on_the_officers_home(city, officer, worker_a):
    ready = health.draw_zone(
        actor=officer,
        kind="high",
        regions=[city.building_a],
        reason="病例居住",
        starts_at=timezone.now() - datetime.timedelta(days=9),
    )
    fresh = health.draw_zone(actor=officer, kind="high", regions=[city.building_b], reason="病例")
    health.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind="test_result",
        occurred_at=timezone.now() - datetime.timedelta(hours=3),
        outcome="negative",
        variant="pooled",
    )
    card = _card(officer, "zones")
    assert reverse("health:zone-lift", args=[ready.pk]) in card
    assert reverse("health:zone-lift", args=[fresh.pk]) not in card
