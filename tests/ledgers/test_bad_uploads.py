"""Uploads the multipart parser cannot read: a 400 with a JSON reason from the API, a 400 page
from the pages, never a 500."""

import pytest

from fangyi.ledgers.models import ImportJob
from tests.support import client_for, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_dir")]

IMPORTS = "/api/v1/ledgers/residents/imports"


def test_multipart_without_a_boundary_is_a_json_400(city, officer):
    response = client_for(officer).generic(
        "POST", IMPORTS, b"--x\r\n\r\n", content_type="multipart/form-data"
    )

    assert response.status_code == 400
    assert "multipart" in response.json()["detail"]


def multipart(file_name: str, content: bytes) -> bytes:
    # By hand: the test client's SimpleUploadedFile cuts names to 255 characters.
    return (
        b"--B\r\n"
        b'Content-Disposition: form-data; name="file"; filename="'
        + file_name.encode()
        + b'"\r\nContent-Type: text/csv\r\n\r\n'
        + content
        + b"\r\n--B--\r\n"
    )


def test_a_file_name_of_1100_characters_is_a_json_400(city, officer):
    body = multipart("台" * 1100 + ".csv", "姓名,证件号码\n".encode())

    response = client_for(officer).generic(
        "POST", IMPORTS, body, content_type="multipart/form-data; boundary=B"
    )

    assert response.status_code == 400
    assert "文件名" in response.json()["detail"]


def test_a_long_file_name_is_stored_cut_to_its_field(city, officer):
    body = multipart("a" * 300 + ".csv", "姓名,证件号码\n".encode())

    response = client_for(officer).generic(
        "POST", IMPORTS, body, content_type="multipart/form-data; boundary=B"
    )

    assert response.status_code == 202
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert len(job.file_name) <= 255 and job.file_name.endswith(".csv")


def test_a_page_given_multipart_without_a_boundary_answers_400(city, officer):
    browser = signed_in(officer)
    browser.raise_request_exception = False

    response = browser.generic(
        "POST", "/ledgers/residents/import/", b"--x\r\n\r\n", content_type="multipart/form-data"
    )

    assert response.status_code == 400
