"""Every role's home page is its work: a screen to work at, its one grid, or its cards."""

import pytest
from django.urls import reverse

from fangyi.accounts.models import RoleAssignment
from tests.support import signed_in

from ..factories import staff


def _home(user):
    return signed_in(user).get(reverse("core:home"))


@pytest.mark.parametrize(
    ("role", "where", "url_name"),
    [
        ("checkpoint", "community", "checkpoints:scan"),
        ("sampler", "grid_a", "screening:sampling"),
        ("lab", "province", "screening:lab"),
        ("commander", "city", "command:screen"),
    ],
)
def test_roles_with_one_screen_start_there(city, role, where, url_name):
    response = _home(staff(role, getattr(city, where)))
    assert response.status_code == 302 and response.url == reverse(url_name)


@pytest.mark.parametrize("role", ["grid_worker", "grid_leader", "volunteer"])
def test_grid_teams_start_at_their_grid(city, role):
    response = _home(staff(role, city.grid_a))
    assert response.status_code == 302
    assert response.url == reverse("regions:detail", args=[city.grid_a.code])


def test_a_leader_who_is_also_a_worker_of_the_same_grid_starts_there(city, leader_a):
    RoleAssignment.objects.create(
        user=leader_a, role="grid_worker", region=city.grid_a, region_path=city.grid_a.path
    )
    assert _home(leader_a).url == reverse("regions:detail", args=[city.grid_a.code])


def test_a_sampler_who_is_also_a_grid_worker_gets_the_cards(city):
    user = staff("sampler", city.grid_a)
    RoleAssignment.objects.create(
        user=user, role="grid_worker", region=city.grid_a, region_path=city.grid_a.path
    )
    response = _home(user)
    assert response.status_code == 200 and 'id="card-guardianships"' in response.content.decode()


def test_an_officer_sees_what_waits_for_them(city, officer):
    response = _home(officer)
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("appeals", "decisions", "zones", "tasks-to-assign", "tubes-awaiting-results"):
        assert f'id="card-{key}"' in html, key
    assert 'id="card-my-tasks"' not in html


def test_a_commander_who_is_also_an_officer_gets_the_cards_and_their_city(city):
    commander = staff("commander", city.city)
    RoleAssignment.objects.create(
        user=commander, role="officer", region=city.street, region_path=city.street.path
    )
    html = _home(commander).content.decode()
    assert 'id="card-appeals"' in html and 'id="card-tubes-awaiting-results"' in html
    assert reverse("regions:detail", args=[city.city.code]) in html


def test_an_empty_card_says_there_is_nothing_to_do(city, officer):
    html = _home(officer).content.decode()
    card = html.split('id="card-decisions"', 1)[1].split("</section>", 1)[0]
    assert 'data-empty="yes"' in html.split('id="card-decisions"', 1)[1][:40]
    assert "没有待审批的人工判定。" in card
