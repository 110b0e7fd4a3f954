"""Manual decisions per region: all of them listed with who proposed and approved them, a second
officer's confirmation to approve, revocation, and the region's appeal outcomes beside them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fangyi.health import services
from fangyi.health.models import ManualDecision, Status
from tests.support import signed_in

from ..factories import staff

REASON = "流调发现与病例同乘一部电梯"


def _propose(actor, person, colour="red") -> ManualDecision:
    return services.propose_decision(
        actor=actor,
        person=person,
        colour=colour,
        reason=REASON,
        expires_at=timezone.now() + datetime.timedelta(hours=24),
    )


@pytest.fixture
def pending(city, officer):
    return _propose(officer, city.person_a)


def test_the_list_shows_who_proposed_what_and_why(pending, officer, second_officer):
    html = signed_in(second_officer).get(reverse("health:decision-list")).content.decode()
    row = html.split(f'id="decision-{pending.pk}"', 1)[1].split('<div class="list-group-item"', 1)[
        0
    ]
    assert 'data-state="pending"' in html and "待审批" in row
    assert "红码" in row and REASON in row and "officer" in row
    assert reverse("health:decision-review", args=[pending.pk]) in row
    assert reverse("health:decision-revoke", args=[pending.pk]) in row
    summary = html.split('id="decision-summary"', 1)[1].split("</div></div>", 1)[0]
    assert "待审批 1" in summary and "已生效 0" in summary


def test_the_proposer_cannot_approve_their_own(pending, officer):
    client = signed_in(officer)
    html = client.get(reverse("health:decision-list")).content.decode()
    assert reverse("health:decision-review", args=[pending.pk]) not in html
    url = reverse("health:decision-review", args=[pending.pk])
    assert "这是您提出的判定，须由另一名干部审批" in client.get(url).content.decode()
    response = client.post(url, {"verdict": "accept", "note": ""})
    assert "人工判定须由另一名干部审批" in response.content.decode()
    pending.refresh_from_db()
    assert pending.state == "pending"


def test_a_second_officer_approves_after_a_confirmation(pending, city, second_officer):
    client = signed_in(second_officer)
    url = reverse("health:decision-review", args=[pending.pk])
    confirm = client.get(url).content.decode()
    assert "确认批准" in confirm and REASON in confirm
    assert pending.state == "pending"
    response = client.post(url, {"verdict": "accept", "note": ""})
    assert response.status_code == 302 and response.url == reverse("health:decision-list")
    pending.refresh_from_db()
    assert pending.state == "approved" and pending.approved_by == second_officer
    status = Status.objects.get(person=city.person_a)
    assert status.colour == "red" and status.manual
    again = client.get(url, follow=True)
    assert "该判定已经处理" in again.content.decode()


def test_rejecting_needs_a_reason(pending, second_officer):
    client = signed_in(second_officer)
    url = reverse("health:decision-review", args=[pending.pk])
    refused = client.post(url, {"verdict": "reject", "note": ""})
    assert "驳回时请写明原因" in refused.context["form"].errors["note"][0]
    client.post(url, {"verdict": "reject", "note": "理由不足以赋红码"})
    pending.refresh_from_db()
    assert pending.state == "rejected" and pending.decision_note == "理由不足以赋红码"


def test_revoking_an_active_decision(pending, city, officer, second_officer):
    services.approve_decision(actor=second_officer, decision=pending, approve=True)
    client = signed_in(officer)
    url = reverse("health:decision-revoke", args=[pending.pk])
    confirm = client.get(url).content.decode()
    assert "撤销人工判定？" in confirm and "确认撤销" in confirm
    refused = client.post(url, {"reason": ""})
    assert "reason" in refused.context["form"].errors
    response = client.post(url, {"reason": "复核后无接触史"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == "revoked"
    assert Status.objects.get(person=city.person_a).colour == "green"
    finished = client.post(url, {"reason": "再次撤销"})
    assert "该判定已经结束" in finished.content.decode()


def test_filtering_by_region_and_state(city, officer, pending):
    other = _propose(officer, city.person_b, colour="yellow")
    client = signed_in(officer)
    grid_b = client.get(reverse("health:decision-list"), {"region": city.grid_b.code})
    html = grid_b.content.decode()
    assert str(other.pk) in html and str(pending.pk) not in html
    assert f"{reverse('health:appeal-list')}?state=accepted&amp;region={city.grid_b.code}" in html
    rejected = client.get(reverse("health:decision-list"), {"state": "rejected"})
    assert "没有人工判定" in rejected.content.decode()
    unknown = client.get(reverse("health:decision-list"), {"region": "359999"})
    assert "没有找到该区域" in unknown.content.decode()
    assert str(pending.pk) not in unknown.content.decode()


def test_appeal_outcomes_are_counted_beside_the_decisions(city, officer, second_officer):
    fact = services.record_fact(
        actor=officer,
        source="manual",
        person=city.person_a,
        kind="close_contact",
        occurred_at=timezone.now() - datetime.timedelta(hours=4),
    )
    appeal = services.file_appeal(
        actor=officer, person=city.person_a, reason="不认识该病例", fact=fact
    )
    services.decide_appeal(actor=second_officer, appeal=appeal, accept=True, note="流调有误")
    html = signed_in(officer).get(reverse("health:decision-list")).content.decode()
    summary = html.split('id="appeal-summary"', 1)[1].split("</div></div>", 1)[0]
    assert "已采纳 1" in summary and "待处理 0" in summary


def test_grid_staff_and_scope(city, officer, worker_a):
    decision = _propose(officer, city.person_b)
    assert signed_in(worker_a).get(reverse("health:decision-list")).status_code == 403
    leader = staff("grid_leader", city.grid_a, username="leader_a")
    client = signed_in(leader)
    html = client.get(reverse("health:decision-list")).content.decode()
    assert str(decision.pk) not in html
    assert client.get(reverse("health:decision-review", args=[decision.pk])).status_code == 404
    own_grid = _propose(officer, city.person_a)
    html = client.get(reverse("health:decision-list")).content.decode()
    assert str(own_grid.pk) in html
    assert reverse("health:decision-review", args=[own_grid.pk]) not in html
    assert client.get(reverse("health:decision-review", args=[own_grid.pk])).status_code == 403
