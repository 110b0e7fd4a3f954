"""Publishing queues the SMS as a task once the transaction commits; the task queues them in
one statement and hands them to the sender, on whichever task backend is configured."""

import pytest

from fangyi.notices import services
from fangyi.notices.models import Notice, SmsSend, SmsState
from tests.support import run_queued_tasks

pytestmark = [pytest.mark.tasks, pytest.mark.django_db(transaction=True)]


def test_publishing_queues_and_sends(city, homes, officer, recording_sms):
    notice = services.create_notice(
        actor=officer, title="停水通知", body="明日停水", regions=[city.community]
    )
    services.publish_notice(actor=officer, notice=notice)
    run_queued_tasks()
    assert Notice.objects.get(pk=notice.pk).sms_queued == 3
    assert SmsSend.objects.filter(state=SmsState.SENT).count() == 3
    assert sorted(phone for phone, _message in recording_sms.sent) == [
        "13800000001",
        "13800000003",
        "13900000002",
    ]
