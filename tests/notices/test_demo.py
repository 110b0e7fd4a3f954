"""`fangyi seed --demo-staff` publishes a notice to the first community and keeps a draft,
once; the community's residents see the notice on the portal."""

import io
import json

import pytest
from django.core.management import call_command

from fangyi.notices import services
from fangyi.notices.models import Notice, SmsSend
from fangyi.people.models import Person


def seed() -> dict:
    out = io.StringIO()
    call_command("seed", "--residents", "600", "--seed", "5", "--demo-staff", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_the_demo_has_a_published_notice_and_a_draft():
    summary = seed()["notices"]
    assert (summary["published"], summary["drafts"]) == (1, 1)
    assert summary["sms_queued"] == SmsSend.objects.count() > 0
    published = Notice.objects.get(state="published")
    community = published.region
    resident = Person.objects.filter(region_path__startswith=community.path).first()
    assert list(services.resident_notices(resident)) == [published]
    assert seed()["notices"] == summary
    assert Notice.objects.count() == 2
