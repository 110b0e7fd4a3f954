"""A resident who logs in to the portal is remembered as one: they get no SMS of notices."""

import re

import pytest

from fangyi.notices import services
from fangyi.notices.models import PortalResident
from fangyi.portal import services as portal

pytestmark = pytest.mark.django_db


def test_logging_in_marks_the_resident_as_a_portal_user(city, recording_sms):
    sent = portal.request_code(phone=city.person_a.phone, ip=None)
    code = re.search(r"\d{6}", str(sent.message)).group()
    portal.verify_login(phone=city.person_a.phone, code=code)
    assert list(PortalResident.objects.values_list("person_id", flat=True)) == [city.person_a.pk]
    services.remember_portal_resident(city.person_a)
    assert PortalResident.objects.count() == 1
