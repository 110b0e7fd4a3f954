"""SMS for those without the portal: queued once in one statement for residents with a phone
who never logged in, are not away and have not read the notice; sent at the backend's rate;
failures retried, then given up; a withdrawal cancels what is not sent."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from fangyi.notices import services
from fangyi.notices.models import Notice, SmsSend, SmsState

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(city, homes, officer):
    notice = services.create_notice(
        actor=officer,
        title="停水通知",
        body="明日 9:00 至 12:00 停水，请提前储水。",
        regions=[city.community],
    )
    return services.publish_notice(actor=officer, notice=notice)


def test_only_those_without_the_portal_are_queued_once(city, homes, notice):
    services.read_notice(person=city.person_a, notice_id=notice.pk)
    assert services.queue_sms(notice_id=notice.pk) == 2
    assert services.queue_sms(notice_id=notice.pk) == 0
    queued = SmsSend.objects.filter(notice=notice)
    assert {row.person_id for row in queued} == {city.person_b.pk, homes.c1.pk}
    assert {row.phone for row in queued} == {"13900000002", "13800000003"}
    assert all(row.state == SmsState.QUEUED for row in queued)
    assert Notice.objects.get(pk=notice.pk).sms_queued == 2


def test_a_draft_queues_nothing(city, homes, officer):
    draft = services.create_notice(actor=officer, title="草稿", body="正文", regions=[city.grid_a])
    assert services.queue_sms(notice_id=draft.pk) == 0


def test_sent_at_the_rate_the_backend_allows(city, homes, notice, recording_sms):
    services.queue_sms(notice_id=notice.pk)
    now = timezone.now()
    with override_settings(FANGYI_NOTICE_SMS_PER_MINUTE=1):
        first = services.send_due_sms(now=now)
        second = services.send_due_sms(now=now + datetime.timedelta(seconds=30))
        third = services.send_due_sms(now=now + datetime.timedelta(seconds=61))
        fourth = services.send_due_sms(now=now + datetime.timedelta(seconds=130))
        fifth = services.send_due_sms(now=now + datetime.timedelta(seconds=200))
    assert [run.sent for run in (first, second, third, fourth, fifth)] == [1, 0, 1, 1, 0]
    assert sorted(phone for phone, _message in recording_sms.sent) == [
        "13800000001",
        "13800000003",
        "13900000002",
    ]
    assert all("停水通知" in message for _phone, message in recording_sms.sent)
    assert SmsSend.objects.filter(notice=notice, state=SmsState.SENT).count() == 3


def test_a_failure_is_retried_then_given_up(city, homes, notice, recording_sms):
    services.queue_sms(notice_id=notice.pk)
    recording_sms.failing = {homes.c1.phone}
    now = timezone.now()
    services.send_due_sms(now=now)
    row = SmsSend.objects.get(person=homes.c1)
    assert (row.state, row.attempts, row.error) == (SmsState.FAILED, 1, "gateway refused")
    assert services.send_due_sms(now=now + datetime.timedelta(minutes=1)).sent == 0
    for step in range(1, services.SMS_ATTEMPTS):
        retry_at = now + services.SMS_RETRY_AFTER * step + datetime.timedelta(seconds=step)
        assert services.send_due_sms(now=retry_at).failed == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == (SmsState.FAILED, services.SMS_ATTEMPTS)
    assert services.sms_summary(notice).gave_up == 1
    recording_sms.failing = set()
    services.send_due_sms(now=now + datetime.timedelta(hours=1))
    row.refresh_from_db()
    assert row.state == SmsState.FAILED


def test_a_resident_who_read_it_meanwhile_gets_no_sms(city, homes, notice, recording_sms):
    services.queue_sms(notice_id=notice.pk)
    services.read_notice(person=city.person_b, notice_id=notice.pk)
    run = services.send_due_sms()
    assert (run.sent, run.skipped) == (2, 1)
    assert SmsSend.objects.get(person=city.person_b).state == SmsState.CANCELLED


def test_withdrawing_cancels_what_is_not_sent(city, homes, officer, notice, recording_sms):
    services.queue_sms(notice_id=notice.pk)
    services.withdraw_notice(actor=officer, notice=notice, reason="取消停水")
    assert services.send_due_sms().sent == 0
    assert recording_sms.sent == []
    assert set(SmsSend.objects.values_list("state", flat=True)) == {SmsState.CANCELLED}


def notices_counted_by_the_planner() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(most_common_vals::text, '') FROM pg_stats"
            " WHERE tablename = 'notices_smssend' AND attname = 'notice_id'"
        )
        row = cursor.fetchone()
    return row[0] if row else ""


@pytest.mark.parametrize("threshold, counted", [(3, True), (4, False)])
def test_queueing_many_refreshes_the_planners_statistics(
    city, homes, notice, monkeypatch, threshold, counted
):
    """On PostgreSQL: a notice's SMS queued by the thousand are counted by the planner at once,
    not when autovacuum gets to it (finding 51); fewer are left to autovacuum."""
    if connection.vendor != "postgresql":
        pytest.skip("the planner's statistics are PostgreSQL's")
    monkeypatch.setattr(services, "ANALYZE_AFTER", threshold)
    assert services.queue_sms(notice_id=notice.pk) == 3
    assert (str(notice.pk) in notices_counted_by_the_planner()) is counted
