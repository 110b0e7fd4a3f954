"""The operator's intake page: the caller's household and earlier tickets as the number is
typed, validation, duplicates offered before saving (and merged when chosen), and the
ticket's number, unit and due time after saving."""

import pytest

from fangyi.hotline.area import OPERATOR
from fangyi.hotline.clock import BEIJING
from fangyi.hotline.models import State, Ticket
from tests.factories import staff
from tests.support import signed_in

from .pages_support import community_team, ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(city):
    return staff(OPERATOR, city.city, username="operator")


def call(city, **changes) -> dict:
    return {
        "channel": "phone",
        "number": city.person_a.phone,
        "caller_person": str(city.person_a.pk),
        "caller_name": "",
        "region": "",
        "address": "",
        "category": "food",
        "urgency": "normal",
        "description": "封控楼栋，家里米和菜都快吃完了。",
    } | changes


def test_the_number_typed_shows_the_callers_household_and_earlier_tickets(city, operator):
    earlier = ticket(region=city.building_a, caller=city.person_a, state=State.CLOSED)
    browser = signed_in(operator)
    page = browser.get("/hotline/intake/").content.decode()
    assert 'hx-get="/hotline/caller/"' in page and "autofocus" in page
    fragment = browser.get("/hotline/caller/", {"number": city.person_a.phone}).content.decode()
    assert earlier.number in fragment and city.household_a.address in fragment
    assert city.person_a.phone not in fragment, "the number is shown masked"
    by_tail = browser.get("/hotline/caller/", {"number": city.person_a.id_number[-4:]})
    assert earlier.number in by_tail.content.decode()
    nobody = browser.get("/hotline/caller/", {"number": "13700000009"}).content.decode()
    assert "没有找到这个号码的居民" in nobody


def test_saving_a_call_routes_it_and_shows_its_number_unit_and_due_time(city, operator):
    community_team(city)
    browser = signed_in(operator)
    done = browser.post("/hotline/intake/", call(city))
    assert done.status_code == 302, done.content.decode()[:3000]
    made = Ticket.objects.get()
    assert made.caller == city.person_a and made.region == city.building_a
    assert made.state == State.DISPATCHED and made.unit.name == "三坊社区专班"
    shown = browser.get(done["Location"]).content.decode()
    assert made.number in shown and "三坊社区专班" in shown
    assert made.due_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") in shown


def test_a_form_with_mistakes_says_what_is_wrong_and_saves_nothing(city, operator):
    browser = signed_in(operator)
    page = browser.post(
        "/hotline/intake/", call(city, caller_person="", region="999999", description="")
    ).content.decode()
    assert "这个字段是必填项。" in page
    unknown = browser.post("/hotline/intake/", call(city, caller_person="", region="350199"))
    assert "没有这个区域代码，或其不在您的辖区内。" in unknown.content.decode()
    nowhere = browser.post("/hotline/intake/", call(city, caller_person="")).content.decode()
    assert "请填写区域代码，或从查找结果中选择来电居民。" in nowhere
    assert Ticket.objects.count() == 0


def test_duplicates_are_offered_before_saving_and_merging_keeps_both(city, operator):
    team = community_team(city)
    first = ticket(region=city.building_a, handled_by=team, caller=city.person_a)
    browser = signed_in(operator)
    offered = browser.post("/hotline/intake/", call(city)).content.decode()
    assert 'id="duplicates"' in offered and first.number in offered
    assert Ticket.objects.count() == 1
    merged = browser.post("/hotline/intake/", call(city, merge_into=str(first.pk)))
    assert merged.status_code == 302
    second = Ticket.objects.exclude(pk=first.pk).get()
    assert second.state == State.MERGED and second.duplicate_of == first
    page = browser.get(f"/hotline/{first.pk}/").content.decode()
    assert second.number in page and "家里米和菜都快吃完了" in page
    anyway = browser.post("/hotline/intake/", call(city, confirmed="1"))
    assert anyway.status_code == 302 and Ticket.objects.count() == 3
