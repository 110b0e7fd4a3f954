"""An officer's home page counts the people to place and the orders due for release."""

import pytest

from fangyi.isolation import home
from tests.isolation.support_orders import proposed, site_with_rooms, started
from tests.support import signed_in

pytestmark = pytest.mark.django_db


def test_the_cards_count_in_scope(city, officer, commander, leader_a):
    proposed(officer, city.person_a)
    started(officer, city.person_b, site_with_rooms(officer, city.community), days_ago=8)
    assert home.to_place(officer).count == 1
    due = home.due(officer)
    assert due.count == 1
    assert due.note == "其中 1 人超期未解除"
    assert home.due(commander).count == 1
    html = signed_in(officer).get("/").content.decode()
    assert "待安置人员" in html and "到期待解除的隔离令" in html
    assert "待安置人员" not in signed_in(leader_a).get("/").content.decode()
