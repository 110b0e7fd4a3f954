"""A point's daily report through the service: validation, replacing a day's figures, the
audit rows, and the reporter limited to their own points."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.markets import services
from fangyi.markets.models import PriceReport, today

from .support import point, reporter

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(city, officer):
    return point(officer, city.grid_a, "FZ-001", reporters=[reporter(city.grid_a, "rep_a")])


def entries(**prices):
    return [services.Entry(item=code, price=price) for code, price in prices.items()]


def test_a_report_is_written_with_an_audit_row(shop):
    rep = shop.reporters.get()
    written = services.submit_report(
        actor=rep,
        point=shop,
        day=today(),
        entries=[
            services.Entry(item="rice", price="5.20", stock="3000", sales="100"),
            services.Entry(item="pork", price="26"),
        ],
    )
    assert len(written) == 2
    rice = PriceReport.objects.get(item__code="rice")
    assert (str(rice.price), str(rice.stock), rice.reporter) == ("5.20", "3000.00", rep)
    assert rice.region_path == shop.region_path
    assert ObjectChange.objects.filter(object_id=str(rice.pk), action="create").exists()


def test_sending_again_replaces_the_days_figures(shop):
    rep = shop.reporters.get()
    services.submit_report(actor=rep, point=shop, day=today(), entries=entries(rice="5.20"))
    services.submit_report(actor=rep, point=shop, day=today(), entries=entries(rice="5.30"))
    report = PriceReport.objects.get()
    assert str(report.price) == "5.30"
    change = ObjectChange.objects.get(object_id=str(report.pk), action="update")
    assert (change.before["price"], change.after["price"]) == ("5.20", "5.30")


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (services.Entry(item="rice", price="0"), "items.0.price"),
        (services.Entry(item="rice", price="-1"), "items.0.price"),
        (services.Entry(item="rice", price="5.201"), "items.0.price"),
        (services.Entry(item="rice", price="abc"), "items.0.price"),
        (services.Entry(item="rice", price="NaN"), "items.0.price"),
        (services.Entry(item="rice", price=""), "items.0.price"),
        (services.Entry(item="rice", price="100000"), "items.0.price"),
        (services.Entry(item="rice", price="5", stock="-1"), "items.0.stock"),
        (services.Entry(item="rice", price="5", sales="x"), "items.0.sales"),
        (services.Entry(item="caviar", price="5"), "items.0.item"),
    ],
)
def test_bad_entries_are_refused_naming_the_field(shop, entry, field):
    with pytest.raises(ValidationError) as caught:
        services.submit_report(actor=shop.reporters.get(), point=shop, day=today(), entries=[entry])
    assert field in caught.value.message_dict
    assert not PriceReport.objects.exists()


def test_an_item_twice_and_bad_days_are_refused(shop):
    rep = shop.reporters.get()
    twice = [services.Entry(item="rice", price="5"), services.Entry(item="rice", price="6")]
    with pytest.raises(ValidationError) as caught:
        services.submit_report(actor=rep, point=shop, day=today(), entries=twice)
    assert "items.1.item" in caught.value.message_dict
    for day in (today() + datetime.timedelta(days=1), today() - datetime.timedelta(days=31)):
        with pytest.raises(ValidationError) as caught:
            services.submit_report(actor=rep, point=shop, day=day, entries=entries(rice="5"))
        assert "day" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.submit_report(actor=rep, point=shop, day=today(), entries=[])
    assert "items" in caught.value.message_dict
    # Thirty days back is still a correction the service takes.
    services.submit_report(
        actor=rep, point=shop, day=today() - datetime.timedelta(days=30), entries=entries(rice="5")
    )


def test_a_reporter_reports_only_at_their_own_points(city, officer, shop):
    own = shop.reporters.get()
    # Another point in the same grid, and a reporter of the same grid not assigned to it.
    other = point(officer, city.grid_a, "FZ-002")
    stranger = reporter(city.grid_a, "rep_stranger")
    assert list(services.points_for(own)) == [shop]
    assert not services.points_for(stranger).exists()
    with pytest.raises(PermissionDenied):
        services.submit_report(actor=own, point=other, day=today(), entries=entries(rice="5"))
    with pytest.raises(PermissionDenied):
        services.submit_report(actor=stranger, point=shop, day=today(), entries=entries(rice="5"))
    # An officer of the street reports at any point of it.
    services.submit_report(actor=officer, point=other, day=today(), entries=entries(rice="5"))
    services.submit_report(actor=own, point=shop, day=today(), entries=entries(rice="5"))
    assert set(services.reports_for(own).values_list("point", flat=True)) == {shop.pk}
    assert services.reports_for(officer).count() == 2


def test_a_reporter_assigned_outside_their_region_still_cannot_report(city, officer):
    # Assigned to a point of grid B while their role is over grid A: the role's region
    # still bounds them.
    rep = reporter(city.grid_a, "rep_a2")
    with pytest.raises(ValidationError) as caught:
        point(officer, city.grid_b, "FZ-003", reporters=[rep])
    assert "reporters" in caught.value.message_dict


def test_a_stopped_point_takes_no_reports(officer, shop):
    services.update_point(actor=officer, point=shop, active=False)
    with pytest.raises(ValidationError):
        services.submit_report(
            actor=shop.reporters.get(), point=shop, day=today(), entries=entries(rice="5")
        )
