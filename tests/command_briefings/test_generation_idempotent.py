"""The morning job makes yesterday's briefing for the city and each district from the
configured hour on, once; making one again on demand replaces it."""

import datetime

from django.utils import timezone

from fangyi.command.briefings import services
from fangyi.command.briefings.models import Briefing
from fangyi.core.models import ObjectChange

from .support import beijing, yesterday


def test_nothing_before_the_hour(city):
    assert services.generate_due(now=beijing(timezone.localdate(), 6, 59)) == 0
    assert not Briefing.objects.exists()


def test_from_the_hour_once_per_region_and_day(city):
    now = beijing(timezone.localdate(), 7, 5)
    assert services.generate_due(now=now) == 2
    assert services.generate_due(now=now + datetime.timedelta(hours=1)) == 0
    made = Briefing.objects.order_by("region_path")
    assert [(b.region, b.day) for b in made] == [
        (city.city, yesterday()),
        (city.district, yesterday()),
    ]
    assert all(b.generated_by is None for b in made)


def test_the_hour_is_a_setting(city, settings):
    settings.FANGYI_BRIEFING_HOUR = 9
    assert services.generate_due(now=beijing(timezone.localdate(), 8, 30)) == 0
    assert services.generate_due(now=beijing(timezone.localdate(), 9, 0)) == 2


def test_on_demand_replaces_the_days_briefing(city, commander):
    first = services.generate(actor=commander, region=city.district, day=yesterday())
    again = services.generate(actor=commander, region=city.district, day=yesterday())
    assert first.pk == again.pk
    assert Briefing.objects.count() == 1
    assert again.generated_by == commander
    assert list(
        ObjectChange.objects.filter(object_id=str(first.pk))
        .order_by("time")
        .values_list("action", flat=True)
    ) == [ObjectChange.CREATE, ObjectChange.UPDATE]
