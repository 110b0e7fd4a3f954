"""The health panel on a person's page: colour, reasons, facts, and the forms behind its buttons."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fangyi.health import services
from fangyi.health.forms import local_minute
from fangyi.health.models import Appeal, Fact, FactKind, ManualDecision, Status
from tests.support import signed_in

from ..factories import staff

HTMX = {"HTTP_HX_REQUEST": "true"}


def _ago(**kwargs) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**kwargs)


def _panel(client, person, **headers) -> str:
    response = client.get(reverse("health:person-panel", args=[person.pk]), **headers)
    assert response.status_code == 200
    return response.content.decode()


def _positive(actor, person, **kwargs) -> Fact:
    return services.record_fact(
        actor=actor,
        source="manual",
        person=person,
        kind=FactKind.TEST_RESULT,
        occurred_at=kwargs.pop("occurred_at", _ago(hours=2)),
        outcome="positive",
        variant="single",
        **kwargs,
    )


def test_person_page_loads_the_panel_lazily_with_a_fallback_link(city, worker_a):
    html = signed_in(worker_a).get(reverse("people:person-detail", args=[city.person_a.pk]))
    html = html.content.decode()
    url = reverse("health:person-panel", args=[city.person_a.pk])
    assert f'hx-get="{url}"' in html and 'hx-trigger="load"' in html
    assert f'<noscript><p><a href="{url}">' in html


def test_a_person_without_facts_is_green(city, worker_a):
    client = signed_in(worker_a)
    fragment = _panel(client, city.person_a, **HTMX)
    assert "<html" not in fragment
    assert 'data-colour="green"' in fragment and "绿码" in fragment
    assert "第九版防控方案" in fragment
    assert "还没有健康事实记录" in fragment
    page = _panel(client, city.person_a)
    assert "<html" in page and 'id="health-panel"' in page


def test_worker_cannot_open_another_grids_panel_or_forms(city, worker_a):
    client = signed_in(worker_a)
    for name in ("person-panel", "fact-create", "appeal-create", "decision-create"):
        response = client.get(reverse(f"health:{name}", args=[city.person_b.pk]))
        assert response.status_code == 404, name
    assert (
        "李"
        not in client.get(reverse("health:person-panel", args=[city.person_b.pk])).content.decode()
    )
    assert not Status.objects.filter(person=city.person_b).exists()


def test_reasons_link_to_their_facts_and_the_timeline_shows_them(city, worker_a):
    fact = _positive(worker_a, city.person_a, source_ref="tube-0042")
    html = _panel(signed_in(worker_a), city.person_a, **HTMX)
    assert 'data-colour="red"' in html and "红码" in html
    assert "单管核酸检测阳性" in html
    assert f'href="#fact-{fact.pk}"' in html and f'id="fact-{fact.pk}"' in html
    assert "阳性 · 单管" in html and "tube-0042" in html and "worker_a" in html
    assert "页面录入" in html


def test_reasons_follow_the_active_language(city, worker_a):
    _positive(worker_a, city.person_a)
    client = signed_in(worker_a)
    client.cookies["django_language"] = "en"
    html = _panel(client, city.person_a, **HTMX)
    assert "Positive single-tube test" in html
    assert "单管核酸检测阳性" not in html


def test_a_retracted_fact_is_struck_through_with_its_reason(city, worker_a, officer):
    fact = _positive(worker_a, city.person_a)
    services.retract_fact(actor=officer, fact=fact, reason="采样管贴错标签")
    html = _panel(signed_in(worker_a), city.person_a, **HTMX)
    assert 'class="fact-retracted"' in html and "采样管贴错标签" in html
    assert "撤销了" in html
    assert 'data-colour="green"' in html


def test_buttons_follow_permissions(city, worker_a, officer, volunteer_a):
    person = city.person_a
    fact_url = reverse("health:fact-create", args=[person.pk])
    decision_url = reverse("health:decision-create", args=[person.pk])
    worker = _panel(signed_in(worker_a), person, **HTMX)
    assert fact_url in worker and decision_url not in worker
    assert _panel(signed_in(officer), person, **HTMX).count(decision_url) == 1
    volunteer = _panel(signed_in(volunteer_a), person, **HTMX)
    assert fact_url not in volunteer and "健康事实" not in volunteer
    assert signed_in(volunteer_a).get(fact_url).status_code == 403
    assert signed_in(worker_a).get(decision_url).status_code == 403


@pytest.fixture
def volunteer_a(city):
    return staff("volunteer", city.grid_a, username="volunteer_a")


def test_the_fact_form_shows_the_fields_of_its_kind(city, worker_a):
    client = signed_in(worker_a)
    url = reverse("health:fact-create", args=[city.person_a.pk])
    tests = client.get(url).content.decode()
    assert 'name="outcome"' in tests and 'name="area"' not in tests
    arrival = client.get(url, {"kind": "arrival_from_risk_area"}).content.decode()
    assert 'name="area"' in arrival and 'name="outcome"' not in arrival
    declaration = client.get(url, {"kind": "health_declaration"}).content.decode()
    assert 'name="temperature"' in declaration and 'name="symptoms"' in declaration
    contact = client.get(url, {"kind": "close_contact"}).content.decode()
    assert 'name="index_case"' in contact
    quarantine = client.get(url, {"kind": "quarantine_start"}).content.decode()
    assert "集中隔离" in quarantine and "单管" not in quarantine
    assert 'value="retraction"' not in tests


def test_recording_a_fact_through_the_form(city, worker_a):
    client = signed_in(worker_a)
    response = client.post(
        reverse("health:fact-create", args=[city.person_a.pk]),
        {
            "kind": "health_declaration",
            "occurred_at": local_minute(_ago(hours=1)),
            "temperature": "37.9",
            "symptoms": "咳嗽，乏力",
            "source_ref": "DECL-7",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("people:person-detail", args=[city.person_a.pk])
    fact = Fact.objects.get(person=city.person_a)
    assert fact.kind == "health_declaration" and fact.actor == worker_a
    assert fact.details == {"temperature": 37.9, "symptoms": ["咳嗽", "乏力"]}
    assert fact.source == "manual" and fact.source_ref == "DECL-7"
    html = _panel(client, city.person_a, **HTMX)
    assert "体温: 37.9 ℃" in html and "症状: 咳嗽、乏力" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "health_declaration", "temperature": "60"}, "temperature", "体温应为 34 到 43"),
        ({"kind": "arrival_from_risk_area", "area": ""}, "area", "这个字段是必填项"),
        ({"kind": "test_result", "outcome": "positive"}, "variant", "这个字段是必填项"),
        ({"kind": "close_contact", "future": True}, "occurred_at", "时间不能晚于现在"),
    ],
)
def test_a_bad_fact_is_refused_on_its_field(city, worker_a, data, field, message):
    data = dict(data)
    when = (
        timezone.now() + datetime.timedelta(days=1) if data.pop("future", False) else _ago(hours=1)
    )
    data["occurred_at"] = local_minute(when)
    response = signed_in(worker_a).post(
        reverse("health:fact-create", args=[city.person_a.pk]), data
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert not Fact.objects.exists()


def test_appealing_a_fact_from_the_panel(city, worker_a, officer):
    fact = _positive(officer, city.person_a)
    client = signed_in(worker_a)
    panel = _panel(client, city.person_a, **HTMX)
    url = reverse("health:appeal-create", args=[city.person_a.pk])
    assert f"{url}?fact={fact.pk}" in panel
    form = client.get(url, {"fact": fact.pk}).content.decode()
    assert f'value="fact:{fact.pk}"' in form and "checked" in form
    missing = client.post(url, {"target": f"fact:{fact.pk}", "reason": ""})
    assert "reason" in missing.context["form"].errors
    response = client.post(url, {"target": f"fact:{fact.pk}", "reason": "当天未采样"})
    assert response.status_code == 302
    appeal = Appeal.objects.get(person=city.person_a)
    assert appeal.fact == fact and appeal.on_behalf and appeal.filed_by == worker_a
    again = client.post(url, {"target": f"fact:{fact.pk}", "reason": "再次申诉"})
    assert "该记录已有待处理的申诉" in again.context["form"].errors["target"][0]
    assert "待处理申诉" in _panel(client, city.person_a, **HTMX)


def test_a_person_with_nothing_to_contest_is_told_so(city, worker_a):
    html = signed_in(worker_a).get(reverse("health:appeal-create", args=[city.person_a.pk]))
    assert "没有可申诉的记录或管控区域" in html.content.decode()


def test_proposing_a_manual_decision(city, officer, second_officer):
    client = signed_in(officer)
    url = reverse("health:decision-create", args=[city.person_a.pk])
    page = client.get(url).content.decode()
    assert 'type="datetime-local"' in page and "max=" in page
    too_long = client.post(
        url,
        {
            "colour": "red",
            "reason": "流调发现与病例同乘一部电梯",
            "expires_at": local_minute(timezone.now() + datetime.timedelta(hours=80)),
        },
    )
    assert "人工判定最长 72 小时" in too_long.context["form"].errors["expires_at"][0]
    short = client.post(
        url,
        {
            "colour": "red",
            "reason": "太短",
            "expires_at": local_minute(timezone.now() + datetime.timedelta(hours=12)),
        },
    )
    assert "至少 10 个字" in short.context["form"].errors["reason"][0]
    assert not ManualDecision.objects.exists()
    response = client.post(
        url,
        {
            "colour": "red",
            "reason": "流调发现与病例同乘一部电梯",
            "expires_at": local_minute(timezone.now() + datetime.timedelta(hours=12)),
        },
    )
    assert response.status_code == 302
    decision = ManualDecision.objects.get()
    assert decision.state == "pending" and decision.proposed_by == officer
    assert 'data-colour="green"' in _panel(client, city.person_a, **HTMX)
    services.approve_decision(actor=second_officer, decision=decision, approve=True)
    html = _panel(client, city.person_a, **HTMX)
    assert 'data-colour="red"' in html and 'data-field="manual"' in html
    assert "人工判定（已经第二人审批）" in html


def test_an_expired_status_is_recomputed_when_shown(city, worker_a):
    services.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind=FactKind.FEVER_CLINIC_VISIT,
        occurred_at=_ago(hours=3),
    )
    Status.objects.filter(person=city.person_a).update(colour="red", valid_until=_ago(minutes=1))
    html = _panel(signed_in(worker_a), city.person_a, **HTMX)
    assert 'data-colour="yellow"' in html
