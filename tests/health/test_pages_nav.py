"""The health menu in the navigation bar shows each page to whoever may view it."""

from django.test import Client
from django.urls import reverse

from tests.support import signed_in

from ..factories import staff

PAGES = ("zone-list", "appeal-list", "decision-list", "policy-list")


def _links(user) -> set[str]:
    html = signed_in(user).get(reverse("people:person-list")).content.decode()
    return {name for name in PAGES if f'href="{reverse(f"health:{name}")}"' in html}


def test_officers_get_every_health_page(city, officer):
    assert _links(officer) == set(PAGES)


def test_grid_workers_get_no_decisions_page(city, worker_a):
    assert _links(worker_a) == {"zone-list", "appeal-list", "policy-list"}


def test_volunteers_get_no_health_menu(city):
    volunteer = staff("volunteer", city.grid_a, username="volunteer_a")
    html = signed_in(volunteer).get(reverse("people:person-list")).content.decode()
    assert 'id="health-menu"' not in html
    for name in PAGES:
        assert signed_in(volunteer).get(reverse(f"health:{name}")).status_code == 403


def test_pages_need_a_login(city):
    for name in PAGES:
        response = Client().get(reverse(f"health:{name}"))
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
