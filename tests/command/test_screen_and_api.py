"""The screen and /api/v1/command/figures, in the user's scope; the commander starts there."""

import datetime

from django.urls import reverse

from fangyi.command import services
from tests.factories import staff
from tests.support import client_for, signed_in

from .support import beijing, counted_day


def test_the_commander_starts_at_the_screen(city, commander):
    response = signed_in(commander).get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("command:screen")


def test_the_screen_shows_the_figures_linked_to_their_lists(city, superuser, commander):
    counted_day(city, superuser)
    response = signed_in(commander).get(reverse("command:screen"), {"region": city.community.code})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="figure-cases.community"' in page
    assert "/people/?colour=red&amp;region=" + city.community.code in page
    assert city.grid_a.name in page and city.grid_b.name in page


def test_a_region_out_of_scope_is_not_found(city, superuser):
    officer_b = staff("officer", city.grid_b, username="officer_of_b")
    client = signed_in(officer_b)
    assert client.get(reverse("command:screen"), {"region": city.grid_a.code}).status_code == 404
    assert client.get(reverse("command:screen"), {"region": city.grid_b.code}).status_code == 200
    api = client_for(officer_b)
    assert api.get("/api/v1/command/figures", {"region": city.grid_a.code}).status_code == 404


def test_the_api_gives_every_figure_with_its_change_and_list(city, superuser, commander):
    day = counted_day(city, superuser)
    services.take_snapshot(day=day.day, now=beijing(day.day, 23))
    response = client_for(commander).get(
        "/api/v1/command/figures", {"region": city.grid_a.code, "date": day.day.isoformat()}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["live"] is False
    found = {item["key"]: item for item in body["figures"]}
    assert found["cases.community"]["value"] == 2
    assert found["cases.community"]["change"] is None
    assert found["residents.red"]["url"].startswith("/people/?colour=red")


def test_a_future_date_is_refused_naming_the_field(city, commander):
    tomorrow = services.today() + datetime.timedelta(days=1)
    response = client_for(commander).get("/api/v1/command/figures", {"date": tomorrow})
    assert response.status_code == 422
    assert "date" in response.content.decode()
    bad = client_for(commander).get("/api/v1/command/figures", {"date": "soon"})
    assert bad.status_code == 422


def test_a_grid_worker_has_no_screen(city, worker_a):
    assert signed_in(worker_a).get(reverse("command:screen")).status_code == 403
    assert client_for(worker_a).get("/api/v1/command/figures").status_code == 403


def test_the_todo_lists_the_cards_with_something_waiting(city, superuser, officer):
    counted_day(city, superuser)
    client = signed_in(officer)
    screen = client.get(reverse("command:screen")).content.decode()
    assert f'hx-get="/command/todo/?region={city.street.code}"' in screen
    todo = client.get(reverse("command:todo")).content.decode()
    assert 'id="command-todo"' in todo
    # person_b's order waits for a place; nothing is due for release yet.
    assert "待安置人员" in todo
    assert "到期待解除的隔离令" not in todo
