"""The resident's pages under /me/: login by code, my code, why this colour, declarations,
appeal, people I look after; in Chinese and English."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from fangyi.codes.format import Result, verify
from fangyi.codes.keys import jwks
from fangyi.health import services as health
from fangyi.health.models import Appeal, Fact, FactKind
from fangyi.portal.auth import SESSION_KEY
from fangyi.portal.models import Guardianship
from tests.factories import PersonFactory, staff
from tests.portal.support import last_code
from tests.support import resident_client


def _send(client, phone="13800000001", next_url=""):
    return client.post("/me/login/", {"action": "send", "phone": phone, "next": next_url})


def test_logging_in_with_the_code_opens_my_code(city, sms_file):
    client = Client()
    sent = _send(client)
    assert sent.status_code == 302 and "step=code" in sent["Location"]
    code_step = client.get(sent["Location"])
    assert code_step.status_code == 200
    assert "138****0001" in code_step.content.decode()

    response = client.post(
        "/me/login/?step=code", {"action": "verify", "code": last_code(sms_file, "13800000001")}
    )

    assert response.status_code == 302 and response["Location"] == "/me/"
    assert client.session[SESSION_KEY] == str(city.person_a.pk)
    page = client.get("/me/").content.decode()
    assert 'id="my-code"' in page and 'id="code-countdown"' in page
    text = re.search(r'data-code="([^"]+)"', page).group(1)
    assert verify(text, jwks()).result == Result.VALID
    assert 'data-colour="green"' in page


def test_login_returns_to_the_page_asked_for_but_never_off_site(city, sms_file):
    client = Client()
    _send(client, next_url="/me/status/")
    code = last_code(sms_file, "13800000001")
    response = client.post(
        "/me/login/?step=code", {"action": "verify", "code": code, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/me/"

    assert Client().get("/me/status/")["Location"] == "/me/login/?next=%2Fme%2Fstatus%2F"


def test_a_wrong_code_is_shown_on_the_form(city, sms_file):
    client = Client()
    _send(client)
    code = last_code(sms_file, "13800000001")

    response = client.post(
        "/me/login/?step=code",
        {"action": "verify", "code": f"{(int(code) + 1) % 1_000_000:06d}"},
    )

    assert response.status_code == 200
    assert "验证码错误" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_shared_number_asks_for_the_id_tail_on_the_page(city, sms_file):
    child = PersonFactory(household=city.household_a, name="王小宝", phone="13800000001")
    client = Client()
    _send(client)
    code = last_code(sms_file, "13800000001")

    unsure = client.post("/me/login/?step=code", {"action": "verify", "code": code})
    chosen = client.post(
        "/me/login/?step=code", {"action": "verify", "code": code, "id_tail": child.id_tail}
    )

    assert "后四位" in unsure.content.decode()
    assert chosen.status_code == 302
    assert client.session[SESSION_KEY] == str(child.pk)


def test_asking_again_too_soon_says_so(city, sms_file):
    client = Client()
    _send(client)

    response = _send(client)

    assert response.status_code == 429
    assert "秒后可再试" in response.content.decode()


def test_the_demo_inbox_shows_the_text_only_when_debugging(city, settings):
    settings.DEBUG = True
    demo = Client()
    _send(demo)
    page = demo.get("/me/login/?step=code").content.decode()
    assert 'id="demo-inbox"' in page and "验证码为" in page

    settings.DEBUG = False
    live = Client()
    _send(live, phone="13900000002")
    page = live.get("/me/login/?step=code").content.decode()
    assert 'id="demo-inbox"' not in page and "验证码为" not in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_renders_in_both_languages(city, worker_a, language):
    PersonFactory(household=city.household_a, name="王小宝", phone="")
    client = resident_client(city.person_a)
    client.cookies["django_language"] = language
    for url in [
        "/me/",
        "/me/status/",
        "/me/appeal/",
        "/me/declare/health/",
        "/me/declare/trip/",
        "/me/people/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode(), url
    anonymous = Client()
    anonymous.cookies["django_language"] = language
    assert anonymous.get("/me/login/").status_code == 200
    staff_client = Client()
    staff_client.force_login(worker_a)
    staff_client.cookies["django_language"] = language
    assert staff_client.get("/me/staff/guardianships/").status_code == 200


def test_the_code_panel_refreshes_alone_and_says_401_when_logged_out(city):
    panel = resident_client(city.person_a).get("/me/code/panel/")

    assert panel.status_code == 200
    assert panel["Cache-Control"] == "no-store"
    assert 'id="my-code"' in panel.content.decode()
    assert "<html" not in panel.content.decode()
    assert Client().get("/me/code/panel/").status_code == 401


def test_why_this_colour_lists_the_reasons_with_an_appeal_link(city, worker_a):
    fact = health.record_fact(
        actor=worker_a,
        source="manual",
        person=city.person_a,
        kind=FactKind.CLOSE_CONTACT,
        occurred_at=timezone.now() - datetime.timedelta(hours=2),
    )

    page = resident_client(city.person_a).get("/me/status/").content.decode()

    assert 'data-colour="red"' in page
    assert "密切接触者" in page
    assert f"target=fact%3A{fact.pk}" in page


def test_declaring_and_appealing_through_the_pages(city):
    client = resident_client(city.person_a)

    declared = client.post(
        "/me/declare/health/", {"temperature": "38.1", "symptoms": ["fever"]}, follow=True
    )
    fact = Fact.objects.get(person=city.person_a)
    appealed = client.post(
        "/me/appeal/", {"target": f"fact:{fact.pk}", "reason": "量错了"}, follow=True
    )
    trip = client.post(
        "/me/declare/trip/",
        {"from_area": "某市", "arrived_at": "2022-04-01T08:00", "risk_area": "on"},
    )

    assert "发热门诊" in declared.content.decode()
    assert fact.details == {"symptoms": ["发热"], "temperature": 38.1}
    assert appealed.status_code == 200 and Appeal.objects.get().fact == fact
    assert trip.status_code == 302
    assert Fact.objects.filter(kind=FactKind.ARRIVAL_FROM_RISK_AREA).exists()


def test_a_bad_declaration_is_shown_on_the_form(city):
    response = resident_client(city.person_a).post(
        "/me/declare/trip/", {"from_area": "x\x00", "arrived_at": "soon"}
    )

    assert response.status_code == 200
    assert response.content.decode().count("invalid-feedback") >= 2
    assert not Fact.objects.exists()


def test_people_i_look_after_through_the_pages(city, worker_a):
    grandmother = PersonFactory(household=city.household_a, name="王老太", phone="")
    client = resident_client(city.person_b)

    client.post(
        "/me/people/",
        {"name": "王老太", "id_number": grandmother.id_number, "relation": "grandparent"},
    )
    item = Guardianship.objects.get()
    staff_client = Client()
    staff_client.force_login(worker_a)
    queue = staff_client.get("/me/staff/guardianships/").content.decode()
    staff_client.post(f"/me/staff/guardianships/{item.pk}/decide/", {"decision": "confirm"})
    code_page = client.get(f"/me/?person={grandmother.pk}").content.decode()

    assert "王*太" in queue
    assert grandmother.name not in queue
    assert "王*太" in code_page and f'data-person="{grandmother.pk}"' in code_page


def test_someone_else_s_code_page_shows_my_own(city):
    page = resident_client(city.person_a).get(f"/me/?person={city.person_b.pk}").content.decode()

    assert "王*明" in page and "李*英" not in page


def test_the_queue_is_for_staff_who_confirm(city):
    volunteer = staff("volunteer", city.grid_a, username="volunteer_a")
    client = Client()
    client.force_login(volunteer)

    assert client.get("/me/staff/guardianships/").status_code == 403
    assert Client().get("/me/staff/guardianships/").status_code == 302


def test_logging_out_ends_the_resident_session(city):
    client = resident_client(city.person_a)

    client.post("/me/logout/")

    assert SESSION_KEY not in client.session
    assert client.get("/me/").status_code == 302
