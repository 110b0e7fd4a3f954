"""Who has not reported today: the list (service, page, API) and the home card after 10:00."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from fangyi.markets import home, services
from fangyi.markets.models import today
from fangyi.regions.models import Level
from tests.factories import region, staff
from tests.support import client_for, signed_in

from .support import point, reporter

pytestmark = pytest.mark.django_db


@pytest.fixture
def points(city, officer):
    rep = reporter(city.grid_a, "rep_a")
    done = point(officer, city.grid_a, "FZ-001", reporters=[rep])
    late = point(officer, city.grid_a, "FZ-002", reporters=[rep])
    stopped = point(officer, city.grid_b, "FZ-003")
    services.update_point(actor=officer, point=stopped, active=False)
    services.submit_report(
        actor=rep, point=done, day=today(), entries=[services.Entry(item="rice", price="5")]
    )
    return done, late


def at(hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(today(), datetime.time(hour, minute)))


def test_the_list_holds_active_points_without_a_report_today(points, officer):
    _done, late = points
    assert list(services.missing_points(officer)) == [late]
    # Yesterday nobody reported.
    yesterday = today() - datetime.timedelta(days=1)
    assert services.missing_points(officer, yesterday).count() == 2


def test_the_card_counts_only_after_ten(points, officer):
    with mock.patch("django.utils.timezone.now", return_value=at(9, 59)):
        assert home.not_reported(officer).empty
    with mock.patch("django.utils.timezone.now", return_value=at(10, 0)):
        assert home.not_reported(officer).count == 1


def test_page_and_api(points, officer, city):
    _done, late = points
    page = signed_in(officer).get("/markets/missing/")
    assert page.status_code == 200
    assert late.name in page.text and "FZ-001" not in page.text
    answer = client_for(officer).get("/api/v1/markets/missing").json()
    assert [item["code"] for item in answer["items"]] == ["FZ-002"]
    # Out of scope: an officer of another street sees none of them.
    other = region("350102002", "南街街道", Level.STREET, city.district)
    assert (
        client_for(staff("officer", other, username="south"))
        .get("/api/v1/markets/missing")
        .json()["items"]
        == []
    )
