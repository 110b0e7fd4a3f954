"""The missing list as an export-only ledger (screening-missing): masked unless revealed with
a reason by someone who may reveal, scoped like the residents ledger, never imported."""

import csv

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import AccessEvent
from fangyi.ledgers import services as ledgers
from fangyi.ledgers.models import JobStatus
from fangyi.ledgers.registry import ERROR, Row
from fangyi.screening.coverage.ledger import MissingLedger
from tests.factories import staff

from .coverage_support import ELDERLY_BIRTH, record, residents

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ledger_dir(settings, tmp_path):
    settings.FANGYI_LEDGER_DIR = tmp_path / "ledgers"
    return settings.FANGYI_LEDGER_DIR


HEADERS = ["姓名", "证件号码", "手机号", "网格", "楼栋", "户", "地址", "特殊人群"]


def _export(user, region, round, *, reason: str = "") -> list[list[str]]:
    job = ledgers.start_export(
        actor=user,
        ledger=MissingLedger.slug,
        region=region,
        fmt="csv",
        reveal_reason=reason,
        filters={"round": str(round.pk)},
        inline=True,
    )
    assert job.status == JobStatus.DONE, job.message
    with job.file_path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_the_missing_of_a_region_masked(city, officer, sampler, site, campaign, round_now):
    more = residents(city, officer, campaign, round_now)
    more.third.is_bedridden = True
    more.third.birth_date = ELDERLY_BIRTH
    more.third.save()
    record(sampler, site, "T0001", [city.person_a, more.first, more.second], pool_size=5)
    table = _export(officer, city.community, round_now)
    assert table[0] == HEADERS
    assert [row[0] for row in table[1:]] == ["孙*", "李*英"]
    third = table[1]
    assert third[1] == f"{more.third.id_number[:4]}{'*' * 10}{more.third.id_number[-4:]}"
    assert third[2].startswith("138") and "****" in third[2]
    assert third[3:8] == [
        "第一网格",
        "1号楼",
        "1单元102",
        "东街街道三坊社区1号楼1单元102",
        "老年人、卧床",
    ]
    event = AccessEvent.objects.get(kind=AccessEvent.EXPORT)
    assert event.fields == [] and event.region_path == city.community.path


def test_revealed_with_a_reason(city, officer, round_now):
    table = _export(officer, city.grid_b, round_now, reason="上门通知采样")
    assert table[1][:3] == ["李秀英", city.person_b.id_number, "13900000002"]
    assert AccessEvent.objects.get(kind=AccessEvent.EXPORT).reason == "上门通知采样"


def test_a_grid_worker_exports_their_grid_only(city, worker_a, round_now):
    table = _export(worker_a, city.grid_a, round_now)
    assert [row[0] for row in table[1:]] == ["王*明"]
    with pytest.raises(PermissionDenied):
        _export(worker_a, city.community, round_now)


def test_the_round_must_be_given_and_visible(city, officer, round_now):
    with pytest.raises(ValidationError) as raised:
        ledgers.start_export(
            actor=officer, ledger=MissingLedger.slug, region=city.community, inline=True
        )
    assert raised.value.message_dict == {"round": ["请选择筛查轮次。"]}
    lab = staff("lab", city.city, username="lab")
    with pytest.raises(PermissionDenied):
        _export(lab, city.community, round_now)


def test_the_round_filter_names_the_round(round_now):
    choices = MissingLedger.export_filters["round"]
    assert choices[str(round_now.pk)] == "三坊社区全员核酸 第1轮"
    assert str(round_now.pk) in choices and "not-a-round" not in choices
    assert choices.items() == [(str(round_now.pk), "三坊社区全员核酸 第1轮")]


def test_nothing_can_be_imported_through_it(city, officer):
    """The engine asks a ledger first what a file's columns lack: here, always everything."""
    ledger = MissingLedger(actor=officer)
    assert (
        MissingLedger.missing_columns_message(set(HEADERS)) == "未采样人员名单只能导出，不能导入。"
    )
    row = Row(number=2, cells=["王小明"], values={"name": "王小明"})
    ledger.plan([row])
    assert row.action == ERROR and row.errors == [("name", "未采样人员名单只能导出，不能导入。")]
    with pytest.raises(ValidationError):
        ledger.write([row])
