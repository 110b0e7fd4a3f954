"""Spent one-time codes and dead resident tokens are purged; live ones stay."""

import datetime
import json
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from fangyi.portal import services
from fangyi.portal.models import OneTimeCode, ResidentToken


def test_purge_keeps_what_the_limits_and_logins_still_need(city):
    now = timezone.now()
    OneTimeCode.objects.create(
        phone="13800000001", created_at=now - datetime.timedelta(days=2), expires_at=now
    )
    recent = OneTimeCode.objects.create(phone="13800000001", created_at=now, expires_at=now)
    _raw, live = services.issue_token(person=city.person_a)
    _raw, dead = services.issue_token(person=city.person_a)
    ResidentToken.objects.filter(pk=dead.pk).update(expires_at=now - datetime.timedelta(hours=1))

    out = StringIO()
    call_command("portal", "purge", "--json", stdout=out)

    assert json.loads(out.getvalue()) == {"codes": 1, "tokens": 1}
    assert list(OneTimeCode.objects.all()) == [recent]
    assert list(ResidentToken.objects.all()) == [live]
