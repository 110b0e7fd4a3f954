"""The enterprises' figures on the command board: the enterprises area's counts, down to the
grid, and the reopened ones' list showing as many enterprises as the figure counts."""

import re

from fangyi.command import services
from fangyi.enterprises import services as enterprises
from tests.enterprises.support import enterprise_with_account
from tests.support import signed_in


def reopen(officer, region, serial):
    plant, account = enterprise_with_account(officer, region, serial=serial)
    enterprises.approve(
        actor=officer,
        application=enterprises.apply_to_reopen(
            actor=account,
            enterprise=plant,
            commitments=[c.code for c in enterprises.active_commitments()],
            staff_count=10,
        ),
    )
    return plant


def test_enterprises_registered_and_reopened_per_region(city, officer, commander):
    reopen(officer, city.grid_a, 1)
    reopen(officer, city.grid_b, 2)
    enterprise_with_account(officer, city.grid_b, serial=3)

    community = services.board(user=commander, region=city.community).by_key()
    assert community["enterprises.registered"].value == 3
    assert community["enterprises.reopened"].value == 2
    assert community["enterprises.able"].value == 0
    grid_b = services.board(user=commander, region=city.grid_b).by_key()
    assert grid_b["enterprises.registered"].value == 2
    assert grid_b["enterprises.reopened"].value == 1

    page = signed_in(commander).get(community["enterprises.reopened"].url)
    assert page.status_code == 200
    listed = set(re.findall(r'href="/enterprises/([0-9a-f-]{36})/"', page.content.decode()))
    assert len(listed) == 2
