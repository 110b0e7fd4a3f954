"""A lab exports its results ledger for the city through every door — the command line, the
API and the export page — although it may not browse the region tree; the region code is
still checked against what the lab may export."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from fangyi.ledgers.models import ExportJob
from fangyi.screening.lab import services as results
from tests.ledgers.support import read_xlsx
from tests.support import client_for, send

from .lab_support import ago, filled_tube, lab_user, residents

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ledger_dir(settings, tmp_path):
    settings.FANGYI_LEDGER_DIR = tmp_path / "ledgers"


@pytest.fixture
def lab(city, sampler, site, round_now):
    filled_tube(sampler, site, "E0001", residents(city, 5))
    user = lab_user(city)
    results.record_results(
        actor=user,
        items=[results.ResultInput(barcode="E0001", result="negative", tested_at=ago(minutes=5))],
    )
    return user


def test_the_command_line_exports_for_a_lab(city, lab, tmp_path):
    output = tmp_path / "out.csv"
    out = io.StringIO()
    call_command(
        "ledger",
        "export",
        "lab-results",
        "--region",
        city.city.code,
        "--as",
        "lab",
        "-o",
        str(output),
        stdout=out,
    )
    assert "wrote 1 rows" in out.getvalue()
    lines = output.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("试管条码") and lines[1].startswith("E0001,")


def test_the_command_line_names_an_unknown_region(city, lab, tmp_path):
    with pytest.raises(CommandError, match="no region 999"):
        call_command(
            "ledger",
            "export",
            "lab-results",
            "--region",
            "999",
            "--as",
            "lab",
            "-o",
            str(tmp_path / "out.csv"),
            stdout=io.StringIO(),
        )


def test_the_api_exports_for_a_lab_and_hides_what_it_may_not_export(city, lab):
    client = client_for(lab)
    url = "/api/v1/ledgers/lab-results/exports"

    response = send(client, "post", url, {"region": city.city.code, "format": "csv"})
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "done"

    # The residents ledger is not the lab's: its regions are as unknown to it as a made-up one.
    for ledger, code in (("residents", city.city.code), ("lab-results", "999")):
        refused = send(client, "post", f"/api/v1/ledgers/{ledger}/exports", {"region": code})
        assert refused.status_code in (403, 404), refused.content
        assert refused["Content-Type"].startswith("application/json")
    assert ExportJob.objects.count() == 1


def test_the_export_page_takes_the_city_code_from_a_lab(city, lab):
    browser = Client()
    browser.force_login(lab)
    url = reverse("ledgers:export", args=["lab-results"])

    page = browser.get(url)
    assert page.status_code == 200
    assert f'value="{city.city.code}"' in page.content.decode()

    response = browser.post(url, {"region": city.city.code, "format": "xlsx"})
    assert response.status_code in (200, 302), response.content
    job = ExportJob.objects.get()
    assert job.region == city.city and job.ledger == "lab-results"
    assert read_xlsx(job.file_path)[0][0] == "试管条码"

    unknown = browser.post(url, {"region": "999", "format": "xlsx"})
    assert "没有找到该区域，或不在您的辖区内。" in unknown.content.decode()
    assert ExportJob.objects.count() == 1
