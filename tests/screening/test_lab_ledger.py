"""The lab-results ledger: csv and xlsx files through the engine, the command line and the
upload page; row-numbered refusals; who may import; exports hold barcodes only."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from fangyi.fieldwork.models import Task
from fangyi.health.models import Fact
from fangyi.ledgers import services as ledgers
from fangyi.ledgers.models import ImportJob
from fangyi.screening.models import Tube
from fangyi.screening.sampling import batches
from tests.ledgers.support import read_xlsx, write_csv, write_xlsx

from .lab_support import ago, filled_tube, lab_user, residents

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ledger_dir(settings, tmp_path):
    settings.FANGYI_LEDGER_DIR = tmp_path / "ledgers"
    return settings.FANGYI_LEDGER_DIR


@pytest.fixture
def tubes(city, sampler, site, round_now):
    filled_tube(sampler, site, "N0001", residents(city, 10))
    filled_tube(sampler, site, "P0001", residents(city, 10))
    filled_tube(sampler, site, "I0001", residents(city, 5))
    return Tube.objects.order_by("barcode")


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _ledger(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("ledger", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_a_csv_file_through_the_engine(city, tubes, tmp_path):
    lab = lab_user(city)
    tested = _local(ago(minutes=5))
    path = write_csv(
        tmp_path / "结果.csv",
        [
            ["条码", "结果", "CT值", "检测时间"],
            ["N0001", "阴性", "", tested],
            ["P0001", "positive", "31.2", tested],
            ["I0001", "无效", "", tested],
            ["N0001", "阴性", "", tested],
        ],
    )
    job, result = ledgers.import_path(actor=lab, ledger="lab-results", path=path)
    assert (result.updated, result.unchanged, result.error_rows) == (3, 1, 0), result.errors
    assert job.status == "done"
    assert dict(Tube.objects.values_list("barcode", "result")) == {
        "N0001": "negative",
        "P0001": "positive",
        "I0001": "invalid",
    }
    assert Tube.objects.get(barcode="P0001").ct_value == 31.2
    assert Fact.objects.filter(source="lab", kind="test_result").count() == 10
    assert Fact.objects.filter(source="lab", kind="pooled_positive").count() == 10
    assert Task.objects.filter(source="screening:retest").count() == 10
    assert Task.objects.filter(source="screening:resample").count() == 5
    _job, again = ledgers.import_path(actor=lab, ledger="lab-results", path=path)
    assert (again.updated, again.unchanged, again.error_rows) == (0, 4, 0)
    assert Fact.objects.filter(source="lab").count() == 20


def test_an_xlsx_file_from_the_command_line(city, tubes, tmp_path):
    lab_user(city)
    tested = timezone.localtime(ago(minutes=5)).replace(tzinfo=None, microsecond=0)
    path = write_xlsx(
        tmp_path / "results.xlsx",
        [
            ["试管条码", "检测结果", "Ct 值", "检测时间"],
            ["N0001", "negative", None, tested],
            ["P0001", "阳性", 28, tested],
        ],
        title="某检测机构 检测结果",
    )
    status, out = _ledger("import", "lab-results", str(path), "--as", "lab", "--json")
    outcome = json.loads(out)
    assert status == 0 and outcome["updated"] == 2 and outcome["errors"] == []
    tube = Tube.objects.get(barcode="P0001")
    assert tube.state == "resulted" and tube.ct_value == 28.0
    assert timezone.localtime(tube.tested_at).replace(tzinfo=None) == tested


def test_rows_in_error_are_named_by_their_row(city, tubes, tmp_path, sampler, site):
    lab = lab_user(city)

    batches.record_samples(
        actor=sampler,
        items=[
            batches.SampleInput(
                tube="O0001",
                persons=[p.pk for p in residents(city, 2)],
                site=site,
                sampled_at=ago(minutes=9),
            )
        ],
    )
    tested = _local(ago(minutes=5))
    ledgers.import_path(
        actor=lab,
        ledger="lab-results",
        path=write_csv(
            tmp_path / "a.csv", [["条码", "结果", "检测时间"], ["N0001", "阴性", tested]]
        ),
    )
    path = write_csv(
        tmp_path / "b.csv",
        [
            ["试管条码", "检测结果", "Ct 值", "检测时间"],
            ["X0001", "阴性", "", tested],
            ["O0001", "阴性", "", tested],
            ["N0001", "阳性", "", tested],
            ["P0001", "阴性", "", tested],
            ["P0001", "阳性", "", tested],
            ["I0001", "阴性", "60", tested],
            ["I0001", "阴性", "", "2022-03-14"],
            ["I0001", "大概", "", tested],
            ["", "阴性", "", tested],
            ["X0001", "阴性", "", tested],
        ],
    )
    _job, result = ledgers.import_path(actor=lab, ledger="lab-results", path=path, dry_run=True)
    errors = {(e["row"], e["column"]): e["message"] for e in result.errors}
    assert errors[(2, "试管条码")] == "条码 X0001：没有这支试管，或不在您的检测范围内。"
    assert "尚未封管" in errors[(3, "试管条码")]
    assert "不能改为" in errors[(4, "检测结果")]
    assert errors[(6, "检测结果")] == "同一试管的结果与第 5 行不同。"
    assert errors[(7, "Ct 值")] == "Ct 值应为 0 到 50 之间的数字。"
    assert errors[(8, "检测时间")].startswith("无法识别的检测时间")
    assert errors[(9, "检测结果")].startswith("无效的取值：大概")
    assert errors[(10, "试管条码")] == "请填写试管条码。"
    assert errors[(11, "试管条码")] == "与第 2 行是同一试管，该行有误。"
    assert (result.updated, result.error_rows) == (1, 9)


def test_only_the_lab_may_import(city, tubes, tmp_path, sampler, worker_a, officer):
    path = write_csv(
        tmp_path / "a.csv",
        [["条码", "结果", "检测时间"], ["N0001", "阴性", _local(ago(minutes=5))]],
    )
    for user in (sampler, worker_a, officer):
        with pytest.raises(PermissionDenied):
            ledgers.import_path(actor=user, ledger="lab-results", path=path)
    status, _out = _ledger("import", "lab-results", str(path), "--as", "sampler", "--json")
    assert status == 2
    assert Tube.objects.get(barcode="N0001").state == "closed"


def test_the_upload_page_checks_then_imports(city, tubes, sampler):
    lab = lab_user(city)
    client = Client()
    client.force_login(lab)
    page = client.get("/ledgers/lab-results/import/")
    assert page.status_code == 200
    content = f"条码,结果,检测时间\nN0001,阴性,{_local(ago(minutes=5))}\n".encode()
    response = client.post(
        "/ledgers/lab-results/import/",
        {"file": SimpleUploadedFile("results.csv", content, content_type="text/csv")},
    )
    preview = ImportJob.objects.get(dry_run=True)
    assert response.status_code == 302 and preview.updated == 1
    client.post(f"/ledgers/imports/{preview.pk}/commit/")
    assert Tube.objects.get(barcode="N0001").result == "negative"
    sampling = Client()
    sampling.force_login(sampler)
    assert sampling.get("/ledgers/lab-results/import/").status_code == 403


def test_exports_hold_barcodes_and_results_only(city, tubes, round_now, tmp_path):
    lab = lab_user(city)
    tested = _local(ago(minutes=5))
    ledgers.import_path(
        actor=lab,
        ledger="lab-results",
        path=write_csv(
            tmp_path / "a.csv",
            [["条码", "结果", "Ct值", "检测时间"], ["N0001", "阴性", "38", tested]],
        ),
    )
    resulted = ledgers.start_export(actor=lab, ledger="lab-results", region=city.city)
    rows = read_xlsx(resulted.file_path)
    assert rows == [
        ["试管条码", "检测结果", "Ct 值", "检测时间"],
        ["N0001", "阴性", "38", f"{tested}:00"],
    ]
    of_round = ledgers.start_export(
        actor=lab, ledger="lab-results", region=city.city, filters={"round": str(round_now.pk)}
    )
    barcodes = [row[0] for row in read_xlsx(of_round.file_path)[1:]]
    assert barcodes == ["I0001", "N0001", "P0001"]
    text = " ".join(str(cell) for row in read_xlsx(of_round.file_path) for cell in row)
    assert city.person_a.name not in text
