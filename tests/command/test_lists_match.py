"""Each figure's link opens a list showing exactly as many rows as the figure counts."""

import re

from fangyi.command import services
from tests.support import signed_in

from .support import counted_day


def rows_on(client, url: str, marker: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return len(re.findall(marker, response.content.decode()))


def test_residents_of_a_colour_and_orders_to_place(city, superuser, commander):
    counted_day(city, superuser)
    board = services.board(user=commander, region=city.community)
    client = signed_in(commander)
    red = board.by_key()["residents.red"]
    assert red.value == 3
    assert rows_on(client, red.url, r'href="/people/[0-9a-f-]{36}/"') == 3
    to_place = board.by_key()["orders.to_place"]
    assert to_place.value == 1
    assert rows_on(client, to_place.url, r'href="/isolation/orders/[0-9a-f-]{36}/"') == 1


def test_cases_found_in_the_community_and_under_control(city, superuser, commander):
    day = counted_day(city, superuser)
    board = services.board(user=commander, region=city.community, day=day.day)
    assert board.by_key()["cases.community"].value is None
    url = board.by_key()["cases.community"].url
    client = signed_in(commander)
    page = client.get(url).content.decode()
    listed = re.findall(r'href="/people/([0-9a-f-]{36})/"', page.split('id="found-cases"')[1])
    assert sorted(listed) == sorted(str(person.pk) for person in day.community_cases)
    controlled = board.by_key()["cases.controlled"].url
    page = client.get(controlled).content.decode()
    listed = re.findall(r'href="/people/([0-9a-f-]{36})/"', page.split('id="found-cases"')[1])
    assert listed == [str(day.controlled_case.pk)]


def test_orders_of_a_kind_running(city, superuser, commander):
    counted_day(city, superuser)
    board = services.board(user=commander, region=city.community)
    home = board.by_key()["orders.home"]
    assert home.value == 1
    assert rows_on(signed_in(commander), home.url, r'href="/isolation/orders/[0-9a-f-]{36}/"') == 1
    centralised = board.by_key()["orders.centralised"]
    assert centralised.value == 0
    assert (
        rows_on(signed_in(commander), centralised.url, r'href="/isolation/orders/[0-9a-f-]{36}/"')
        == 0
    )
