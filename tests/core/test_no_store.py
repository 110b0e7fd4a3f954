"""Nothing that may hold personal data is kept by a browser or a proxy: revealed names and
numbers, export downloads, and every page and API answer built by the application carry
`Cache-Control: no-store`. Static files and the public verification keys stay cacheable."""

from django.urls import reverse

from fangyi.ledgers.models import ExportJob
from tests.support import send, signed_in


def assert_not_stored(response) -> None:
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


def test_a_revealed_person_is_not_stored(as_worker_a, worker_a, city):
    url = f"/api/v1/persons/{city.person_a.pk}/reveal"
    api = send(as_worker_a, "post", url, {"reason": "上门核酸采样"})
    page = signed_in(worker_a).post(
        reverse("people:person-reveal", args=[city.person_a.pk]), {"reason": "电话通知核酸检测"}
    )

    assert api.status_code == 200 and city.person_a.id_number in api.content.decode()
    assert page.status_code == 200 and city.person_a.id_number in page.content.decode()
    assert_not_stored(api)
    assert_not_stored(page)


def test_an_export_download_is_not_stored(as_officer, officer, city):
    started = send(
        as_officer,
        "post",
        "/api/v1/ledgers/residents/exports",
        {"region": city.community.code, "reveal_reason": "核对名单"},
    )
    assert started.status_code == 202, started.content
    job = ExportJob.objects.get(pk=started.json()["id"])

    api = as_officer.get(started.json()["download_url"])
    page = signed_in(officer).get(reverse("ledgers:export-file", args=[job.pk]))

    assert api.status_code == page.status_code == 200
    assert_not_stored(api)
    assert_not_stored(page)


def test_lists_and_api_answers_are_not_stored(as_worker_a, worker_a, city):
    assert_not_stored(as_worker_a.get("/api/v1/persons"))
    assert_not_stored(signed_in(worker_a).get(reverse("people:person-list")))


def test_the_public_verification_keys_stay_cacheable(client, db):
    keys = client.get("/api/v1/codes/keys")
    revoked = client.get("/api/v1/codes/revoked")

    assert keys["Cache-Control"] == "public, max-age=300"
    assert revoked["Cache-Control"] == "public, max-age=60"
    assert "Pragma" not in keys
