"""A masked residents export cannot come back: the export page says so, and the import of such
a file is refused with one message naming the masked ID numbers and their rows."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from fangyi.ledgers import services
from fangyi.ledgers.models import ImportJob
from fangyi.people.models import Person

from ..factories import PersonFactory

pytestmark = pytest.mark.usefixtures("ledger_dir")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def masked_export(officer, region, fmt="xlsx") -> Path:
    job = services.start_export(
        actor=officer, ledger="residents", region=region, fmt=fmt, reveal_reason="", inline=True
    )
    assert job.status == "done", job.message
    return Path(job.file_path)


def test_the_export_page_says_a_masked_file_cannot_be_reimported(city, officer):
    page = signed_in(officer).get(reverse("ledgers:export", args=["residents"])).content.decode()
    assert "脱敏导出的文件只能查看，不能再导入" in page
    assert "不脱敏文件，改好后可以直接再导入" in page
    assert "导出的文件改好后可以直接再导入" not in page
    regions = signed_in(officer).get(reverse("ledgers:export", args=["regions"])).content.decode()
    assert "导出的文件改好后可以直接再导入" in regions and "不能再导入" not in regions


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_masked_export_is_refused_with_one_message(city, officer, fmt):
    for _ in range(3):
        PersonFactory(household=city.household_a)
    path = masked_export(officer, city.street, fmt)
    persons = list(Person.objects.order_by("id").values())

    _job, result = services.import_path(actor=officer, ledger="residents", path=path)

    masked = Person.objects.order_by("region_path", "id").first().masked_id_number
    assert result.unreadable == (
        f"文件中的证件号码是脱敏的（如 {masked}，第 2–6 行），无法导入：脱敏导出的文件只能查看，"
        "不能改好后再导入。请在导出时填写理由，导出不脱敏的文件，或使用原始台账。"
    )
    assert result.error_rows == 0 and result.errors == []
    assert list(Person.objects.order_by("id").values()) == persons


def test_the_import_page_shows_the_message(city, officer):
    path = masked_export(officer, city.street)
    client = signed_in(officer)
    client.post(
        reverse("ledgers:import", args=["residents"]),
        {"file": SimpleUploadedFile("居民.xlsx", path.read_bytes())},
    )
    job = ImportJob.objects.get()
    assert job.status == "failed"
    page = client.get(reverse("ledgers:import-job", args=[job.pk])).content.decode()
    assert "证件号码是脱敏的" in page and "第 2–3 行" in page
    assert "校验" not in page


def test_row_ranges_are_summarised():
    from fangyi.ledgers.importing import row_ranges

    assert row_ranges([2, 3, 4, 7, 9, 10]) == "2–4、7、9–10"
    assert row_ranges(list(range(2, 60, 2))).endswith("20 …")
