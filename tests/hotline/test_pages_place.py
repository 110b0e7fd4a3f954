"""A place told in words, located later on the ticket's page: an operator picks a building
under the ticket's place, or types a region's code; who may not is refused, and bad input
is told and changes nothing."""

import pytest

from fangyi.core.models import ObjectChange
from fangyi.hotline import queries
from fangyi.hotline.area import OPERATOR
from fangyi.hotline.models import EventKind, Ticket
from fangyi.regions.models import Level
from tests.factories import region, staff
from tests.hotline.support import take
from tests.support import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def told(city, hotline) -> Ticket:
    """A call about "the first building of 三坊社区", known only to the community."""
    return take(hotline.operator, city.community, address="三坊社区一号楼 101", dispatch=True)


def url(ticket: Ticket) -> str:
    return f"/hotline/{ticket.pk}/"


def place_of(ticket: Ticket) -> tuple:
    ticket.refresh_from_db()
    return ticket.region_id, ticket.region_path, ticket.place_resolved, ticket.address


def test_the_operator_picks_a_building_and_the_ticket_is_located(city, hotline, told):
    desk = signed_in(hotline.operator)
    page = desk.get(url(told)).content.decode()
    assert "未定位到楼栋" in page and 'id="place-form"' in page
    assert f'value="{city.building_a.code}"' in page and f'value="{city.building_b.code}"' in page
    assert f"三坊社区 1号楼（{city.building_a.code}）" in page
    answer = desk.post(f"{url(told)}place/", {"building": city.building_a.code}, follow=True)
    assert answer.redirect_chain == [(url(told), 302)]
    assert "工单已定位。" in answer.content.decode()
    assert place_of(told) == (
        city.building_a.pk,
        city.building_a.path,
        True,
        "三坊社区一号楼 101",
    )
    event = told.events.get(kind=EventKind.PLACE)
    assert (event.actor, event.note) == (hotline.operator, "1号楼")
    change = ObjectChange.objects.get(object_id=str(told.pk), after__place_resolved=True)
    assert change.before["region_path"] == city.community.path
    located = desk.get(url(told)).content.decode()
    assert "未定位到楼栋" not in located and 'id="place-form"' not in located


def test_a_region_code_moves_the_place_nearer_without_locating_it(city, hotline):
    told = take(hotline.operator, city.street, address="东街某小区")
    desk = signed_in(hotline.operator)
    desk.post(f"{url(told)}place/", {"region": city.community.code})
    assert place_of(told)[1:3] == (city.community.path, False)
    assert told.events.filter(kind=EventKind.PLACE, note="三坊社区").exists()
    assert 'id="place-form"' in desk.get(url(told)).content.decode()


def test_too_many_buildings_to_list_asks_for_a_code(city, hotline, told, monkeypatch):
    monkeypatch.setattr(queries, "PLACE_BUILDINGS", 1)
    page = signed_in(hotline.operator).get(url(told)).content.decode()
    assert 'id="place-no-list"' in page and f'value="{city.building_a.code}"' not in page


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "请选择楼栋，或填写区域代码。"),
        ({"region": "abc"}, "区域代码只能是数字。"),
        ({"region": "350102009999999999"}, "没有这个区域代码，或其不在您的辖区内。"),
        ({"region": "350200"}, "没有这个区域代码，或其不在您的辖区内。"),
        ({"building": "350102001001001001", "region": "350102001"}, "楼栋和区域代码只填一项。"),
        ({"region": "1" * 40}, "不超过 18 字符"),
    ],
)
def test_bad_input_is_told_and_changes_nothing(city, hotline, told, body, message):
    # Another city's building: it exists, but not where the operator answers.
    xiamen = region("350200", "厦门市", Level.CITY, city.province)
    region("350200001001001001", "厦门1号楼", Level.BUILDING, xiamen)
    before, events = place_of(told), told.events.count()
    answer = signed_in(hotline.operator).post(f"{url(told)}place/", body, follow=True)
    assert answer.status_code == 200 and message in answer.content.decode()
    assert "工单已定位。" not in answer.content.decode()
    assert place_of(told) == before and told.events.count() == events


def test_the_service_refuses_a_place_above_a_city(city, hotline, told):
    before = place_of(told)
    answer = signed_in(hotline.admin).post(
        f"{url(told)}place/", {"region": city.province.code}, follow=True
    )
    assert "请至少选到市一级。" in answer.content.decode()
    assert place_of(told) == before


def test_who_may_not_locate_is_refused(city, hotline, told, worker_b, nobody):
    before = place_of(told)
    body = {"building": city.building_a.code}
    # The street's team works the ticket but does not dispatch; the command centre sees it.
    for user in (hotline.street_officer, hotline.commander):
        browser = signed_in(user)
        assert 'id="place-form"' not in browser.get(url(told)).content.decode()
        assert browser.post(f"{url(told)}place/", body).status_code == 403
    # No right to change tickets at all.
    assert signed_in(nobody).post(f"{url(told)}place/", body).status_code == 403
    # A grid worker of another grid does not see it; nor does another city's operator.
    assert signed_in(worker_b).post(f"{url(told)}place/", body).status_code == 404
    xiamen = region("350200", "厦门市", Level.CITY, city.province)
    elsewhere = staff(OPERATOR, xiamen, username="xiamen_operator")
    assert signed_in(elsewhere).post(f"{url(told)}place/", body).status_code == 404
    assert signed_in(hotline.operator).get(f"{url(told)}place/").status_code == 405
    assert place_of(told) == before
