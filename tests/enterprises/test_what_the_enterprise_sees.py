"""An enterprise sees of a confirmed employee only a masked name, the colour, the kind of
zone they live in and the day of their last negative test; each look is logged; nothing of a
link not yet confirmed; nothing of another enterprise's employees."""

import datetime
import re

from django.utils import timezone

from fangyi.core.models import AccessEvent
from fangyi.enterprises import services
from fangyi.health import services as health
from tests.enterprises.support import employ, enterprise_with_account, negative_test
from tests.support import client_for, signed_in

EXPECTED_KEYS = {"id", "masked_name", "state", "colour", "zone_kind", "last_negative_test"}
# Ids and the CSRF token are random and may hold the room number's digits by chance.
RANDOM_TOKENS = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r'|name="csrfmiddlewaretoken" value="[^"]*"'
)


def test_the_api_sends_only_the_four_facts_and_logs_each_look(city, officer):
    enterprise, account = enterprise_with_account(officer, city.street)
    person = city.person_a
    link = employ(account, enterprise, person)
    tested = timezone.now() - datetime.timedelta(hours=5)
    negative_test(officer, person, tested)
    health.draw_zone(actor=officer, kind="high", regions=[city.grid_a], reason="密接")
    before = AccessEvent.objects.count()

    response = client_for(account).get(f"/api/v1/enterprises/{enterprise.pk}/employees")

    assert response.status_code == 200
    [row] = response.json()["items"]
    assert set(row) == EXPECTED_KEYS
    assert row["id"] == str(link.pk)
    assert row["masked_name"] == "王*明"
    assert row["zone_kind"] == "高风险区"
    assert row["last_negative_test"] == timezone.localdate(tested).isoformat()
    body = response.content.decode()
    assert str(person.pk) not in body
    body = RANDOM_TOKENS.sub("", body)
    for secret in (person.name, person.id_number, person.phone, "101", "第一网格"):
        assert secret not in body
    assert AccessEvent.objects.count() == before + 1
    event = AccessEvent.objects.latest("time")
    assert event.actor == account and event.object_id == str(link.pk)


def test_the_page_shows_no_more_than_the_api(city, officer):
    enterprise, account = enterprise_with_account(officer, city.street)
    person = city.person_a
    employ(account, enterprise, person)

    page = signed_in(account).get(f"/enterprises/{enterprise.pk}/employees/").content.decode()
    page = RANDOM_TOKENS.sub("", page)

    assert "王*明" in page
    for secret in (person.name, person.id_number, person.phone, "101"):
        assert secret not in page


def test_a_pending_link_shows_nothing_and_logs_nothing(city, officer):
    enterprise, account = enterprise_with_account(officer, city.street)
    employ(account, enterprise, city.person_a, confirm=False)
    before = AccessEvent.objects.count()

    [row] = (
        client_for(account).get(f"/api/v1/enterprises/{enterprise.pk}/employees").json()["items"]
    )

    assert row["state"] == "pending"
    assert (row["colour"], row["zone_kind"], row["last_negative_test"]) == ("", "", None)
    assert AccessEvent.objects.count() == before


def test_an_account_reaches_no_other_enterprise(city, officer):
    mine, account = enterprise_with_account(officer, city.street, serial=1)
    other, other_account = enterprise_with_account(officer, city.street, serial=2)
    employ(other_account, other, city.person_b)
    client = client_for(account)

    assert client.get(f"/api/v1/enterprises/{other.pk}/employees").status_code == 404
    assert client.get(f"/api/v1/enterprises/{other.pk}").status_code == 404
    listed = client.get("/api/v1/enterprises").json()["items"]
    assert [item["id"] for item in listed] == [str(mine.pk)]
    assert signed_in(account).get(f"/enterprises/{other.pk}/employees/").status_code == 404


def test_a_declined_link_disappears(city, officer):
    enterprise, account = enterprise_with_account(officer, city.street)
    link = employ(account, enterprise, city.person_a, confirm=False)
    services.answer_link(person=city.person_a, employment_id=link.pk, accept=False)

    items = client_for(account).get(f"/api/v1/enterprises/{enterprise.pk}/employees").json()
    assert items["items"] == []
