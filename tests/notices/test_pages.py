"""The pages: an officer drafts, publishes (confirmed) and withdraws (with a reason and a
confirmation); the notice shows on the resident's first screen, opens, and is confirmed; the
A4 page; the grid worker's list of households not reached. In Chinese and in English."""

import pytest
from django.utils import translation

from fangyi.notices import services
from fangyi.notices.models import Notice, NoticeRead, NoticeState
from tests.support import resident_client, signed_in

pytestmark = pytest.mark.django_db


def test_officer_drafts_publishes_and_withdraws(city, officer):
    browser = signed_in(officer)
    assert "还没有通知" in browser.get("/notices/").content.decode()
    made = browser.post(
        "/notices/new/",
        {"title": "核酸通知", "body": "周六采样", "regions": city.grid_a.code, "ask_confirm": "on"},
    )
    notice = Notice.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/notices/{notice.pk}/"
    page = browser.get(f"/notices/{notice.pk}/").content.decode()
    assert "publish-form" in page and "草稿" in page
    unconfirmed = browser.post(f"/notices/{notice.pk}/publish/", {})
    assert unconfirmed.status_code == 302
    assert Notice.objects.get().state == NoticeState.DRAFT
    browser.post(f"/notices/{notice.pk}/publish/", {"confirm": "1"})
    assert Notice.objects.get().state == NoticeState.PUBLISHED
    page = browser.get(f"/notices/{notice.pk}/").content.decode()
    assert "reach-total" in page and "withdraw-form" in page
    browser.post(f"/notices/{notice.pk}/withdraw/", {"reason": "改期"})
    assert Notice.objects.get().state == NoticeState.PUBLISHED
    browser.post(f"/notices/{notice.pk}/withdraw/", {"reason": "改期", "confirm": "1"})
    assert Notice.objects.get().state == NoticeState.WITHDRAWN
    assert "改期" in browser.get(f"/notices/{notice.pk}/").content.decode()


def test_the_form_says_what_is_wrong(city, officer):
    page = signed_in(officer).post("/notices/new/", {"title": "", "body": "x", "regions": "999"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "没有区域 999" in text
    assert not Notice.objects.exists()


@pytest.fixture
def published(city, officer):
    notice = services.create_notice(
        actor=officer, title="居家通知", body="请居家", regions=[city.grid_a], ask_confirm=True
    )
    return services.publish_notice(actor=officer, notice=notice)


def test_the_resident_sees_it_first_opens_and_confirms(city, published):
    portal = resident_client(city.person_a)
    first = portal.get("/me/").content.decode()
    assert "notices-block" in first and "居家通知" in first and "请确认" in first
    assert "notices-block" not in resident_client(city.person_b).get("/me/").content.decode()
    opened = portal.get(f"/me/notices/{published.pk}/").content.decode()
    assert "confirm-notice" in opened
    assert NoticeRead.objects.get().confirmed_at is None
    done = portal.post(f"/me/notices/{published.pk}/confirm/")
    assert done.status_code == 302
    assert NoticeRead.objects.get().confirmed_at is not None
    assert "您已于" in portal.get(f"/me/notices/{published.pk}/").content.decode()
    assert resident_client(city.person_b).get(f"/me/notices/{published.pk}/").status_code == 404


def test_the_withdrawal_is_shown_on_the_portal(city, officer, published):
    services.withdraw_notice(actor=officer, notice=published, reason="政策调整")
    page = resident_client(city.person_a).get(f"/me/notices/{published.pk}/").content.decode()
    assert "此通知已撤回" in page and "政策调整" in page and "confirm-notice" not in page


def test_the_a4_page(city, officer, published):
    page = signed_in(officer).get(f"/notices/{published.pk}/print/").content.decode()
    assert "notices/print.css" in page and "居家通知" in page and "第一网格" in page
    # The Content-Security-Policy would drop an inline style or handler.
    assert "<style" not in page and "onclick" not in page


def test_the_grid_worker_marks_told_on_the_phone(city, worker_a, published):
    browser = signed_in(worker_a)
    page = browser.get(f"/notices/{published.pk}/unreached/").content.decode()
    assert f"household-{city.household_a.pk}" in page
    browser.post(f"/notices/{published.pk}/told/{city.household_a.pk}/")
    page = browser.get(f"/notices/{published.pk}/unreached/").content.decode()
    assert "所有户都已触达" in page


def test_in_english(city, officer, published):
    browser = signed_in(officer)
    browser.cookies["django_language"] = "en"
    with translation.override("en"):
        page = browser.get(f"/notices/{published.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Withdraw" in page and "Households reached" in page
