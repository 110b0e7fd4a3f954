"""A community's cut-off times on a page: the defaults until an officer sets its own, a
wrong order of times refused with the reason, and the batches follow the times set."""

import pytest

from fangyi.supplies.cycle import services
from fangyi.supplies.cycle.models import CutOff
from tests.support import signed_in

pytestmark = pytest.mark.django_db


def test_the_defaults_show_until_an_officer_sets_the_communitys_own(city, officer):
    client = signed_in(officer)
    page = client.get(f"/supplies/batches/cut-offs/{city.community.code}/")
    html = page.content.decode()
    assert page.status_code == 200 and "16:00" in html and "未自定" in html
    saved = client.post(
        f"/supplies/batches/cut-offs/{city.community.code}/",
        {"needs_by": "15:00", "orders_by": "17:30", "deliver_from": "07:30"},
        follow=True,
    )
    assert "截单时间已保存" in saved.content.decode()
    times = services.times_of([city.community.path])[city.community.path]
    assert (str(times.needs_by), str(times.orders_by), str(times.deliver_from)) == (
        "15:00:00",
        "17:30:00",
        "07:30:00",
    )


def test_orders_before_the_needs_cut_off_are_refused_and_nothing_is_saved(city, officer):
    answer = signed_in(officer).post(
        f"/supplies/batches/cut-offs/{city.community.code}/",
        {"needs_by": "19:00", "orders_by": "18:00", "deliver_from": "08:00"},
    )
    assert answer.status_code == 400
    assert "不能早于需求截止" in answer.content.decode()
    assert not CutOff.objects.exists()


def test_a_grid_worker_does_not_set_a_communitys_times(city, worker_a):
    answer = signed_in(worker_a).post(
        f"/supplies/batches/cut-offs/{city.community.code}/",
        {"needs_by": "15:00", "orders_by": "17:30", "deliver_from": "07:30"},
    )
    assert answer.status_code == 404
    assert not CutOff.objects.exists()


def test_a_region_other_than_a_community_is_not_found(city, officer):
    answer = signed_in(officer).get(f"/supplies/batches/cut-offs/{city.grid_a.code}/")
    assert answer.status_code == 404
