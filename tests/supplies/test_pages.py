import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fangyi.supplies import services
from fangyi.supplies.models import Request
from tests.support import signed_in

from .support import package_request, vegetables

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_the_board_is_empty_then_shows_a_request_with_its_clock(city, officer, worker_a):
    browser = signed_in(officer)
    assert "没有未办结的需求。" in browser.get("/supplies/").content.decode()
    item = vegetables(officer, city.community)
    made = package_request(worker_a, city.household_a, item)
    html = browser.get("/supplies/").content.decode()
    assert f"request-{made.pk}" in html and 'data-clock="green"' in html


def test_an_overdue_request_is_red_and_counted_on_the_home_card(city, officer, worker_a):
    item = vegetables(officer, city.community)
    made = package_request(worker_a, city.household_a, item)
    Request.objects.filter(pk=made.pk).update(
        submitted_at=made.submitted_at - services.limit_of("package") * 2,
        due_at=made.submitted_at - services.limit_of("package"),
    )
    assert 'data-clock="red"' in signed_in(worker_a).get("/supplies/grid/").content.decode()
    from fangyi.supplies.home import overdue

    assert overdue(worker_a).count == 1 and overdue(officer).count == 1


def test_a_grid_worker_makes_a_medicine_request_with_a_photo_on_the_page(city, worker_a):
    browser = signed_in(worker_a)
    url = f"/supplies/new/?building={city.building_a.code}&room=101"
    page = browser.get(url).content.decode()
    assert 'id="request-form"' in page
    form = {
        "kind": "medicine",
        "urgency": "urgent",
        "payment": "to_pay",
        "chronic_condition": "高血压",
        "item_0_name": "硝苯地平",
        "item_0_dose": "每日一次",
        "item_0_quantity": "1",
        "prescription": SimpleUploadedFile("rx.png", PNG, content_type="image/png"),
    }
    done = browser.post(url, form)
    assert done.status_code == 302, done.content.decode()[:2000]
    request = Request.objects.get()
    detail = browser.get(done["Location"]).content.decode()
    assert "硝苯地平" in detail and "处方照片" in detail
    photo = browser.get(f"/supplies/{request.pk}/prescription/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    form["prescription"] = SimpleUploadedFile(
        "rx.png", b"MZ not an image", content_type="image/png"
    )
    refused = browser.post(url, form).content.decode()
    assert "JPEG、PNG 或 WebP" in refused


def test_actions_on_the_detail_page_move_the_request_and_cancel_needs_a_reason(
    city, officer, worker_a
):
    item = vegetables(officer, city.community)
    made = package_request(worker_a, city.household_a, item)
    browser = signed_in(worker_a)
    url = f"/supplies/{made.pk}/transition/"
    browser.post(url, {"to_state": "accepted"})
    made.refresh_from_db()
    assert made.state == "accepted"
    page = browser.post(url, {"to_state": "cancelled"}, follow=True).content.decode()
    assert "取消需求请写明原因。" in page
    browser.post(url, {"to_state": "cancelled", "reason": "居民外出"})
    made.refresh_from_db()
    assert made.state == "cancelled" and made.cancel_reason == "居民外出"


def test_the_catalogue_page_adds_an_item_and_the_totals_page_shows_the_day(city, officer, worker_a):
    browser = signed_in(officer)
    assert "目录里还没有物资。" in browser.get("/supplies/catalogue/").content.decode()
    added = browser.post(
        "/supplies/catalogue/",
        {
            "region": city.community.code,
            "kind": "package",
            "name": "蔬菜包",
            "unit": "份",
            "price": "30.00",
            "usual_max": "4",
            "active": "on",
        },
    )
    assert added.status_code == 302
    item = services.catalogue_for(city.household_a.region_path).get()
    package_request(worker_a, city.household_a, item, quantity=2)
    html = browser.get("/supplies/totals/").content.decode()
    assert city.community.name in html and "60.00" in html


def test_the_board_reads_in_english(city, officer):
    browser = signed_in(officer)
    browser.post("/i18n/setlang/", {"language": "en", "next": "/supplies/"})
    html = browser.get("/supplies/").content.decode()
    assert "Request board" in html and "No open requests." in html
    assert "需求看板" not in html
