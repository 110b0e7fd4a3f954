"""`fangyi notices send-sms` sends what is due, at the rate, as the periodic task does."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from fangyi.notices import services

pytestmark = pytest.mark.django_db


def test_send_sms_by_hand(city, homes, officer, recording_sms):
    notice = services.create_notice(
        actor=officer, title="停水", body="明日停水", regions=[city.community]
    )
    notice = services.publish_notice(actor=officer, notice=notice)
    services.queue_sms(notice_id=notice.pk)
    out = io.StringIO()
    with override_settings(FANGYI_NOTICE_SMS_PER_MINUTE=2):
        call_command("notices", "send-sms", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"sent": 2, "failed": 0, "skipped": 0, "budget": 2}
    assert len(recording_sms.sent) == 2
