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
