"""Exports: the template's columns, masking, round trips and formula injection."""

import csv
import datetime

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from fangyi.core.models import AccessEvent, ObjectChange
from fangyi.ledgers import services
from fangyi.ledgers.registry import LEDGERS
from fangyi.people.models import Household, Person
from fangyi.regions.models import Level, Region
from tests.ledgers.support import read_xlsx, synthetic_id

from ..factories import HouseholdFactory, PersonFactory, region

pytestmark = pytest.mark.usefixtures("ledger_dir")

FORMULAS = ["=1+1", "@SUM(A1:A2)", "+86 备注", "-已迁出", '=HYPERLINK("http://x.invalid","点")']


def export(actor, ledger, region, fmt="xlsx", reason=""):
    job = services.start_export(
        actor=actor, ledger=ledger, region=region, fmt=fmt, reveal_reason=reason, inline=True
    )
    assert job.status == "done", job.message
    return job


def read_csv(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def read_export(job) -> list[list]:
    if job.format == "csv":
        return read_csv(job.file_path)
    return [[c if c is not None else "" for c in row] for row in read_xlsx(job.file_path)]


def reimport(actor, ledger, job, **options):
    return services.import_path(actor=actor, ledger=ledger, path=job.file_path, **options)[1]


@pytest.fixture
def residents(city):
    """A few more residents with every kind of field filled in (all made up)."""
    household = HouseholdFactory(building=city.building_a, unit="", room="102", notes="租户")
    people = [
        PersonFactory(
            household=household,
            name="欧阳晓明",
            id_number=synthetic_id(11),
            birth_date=datetime.date(1985, 3, 1),
            phone="",
            residence_status="temporary",
            is_bedridden=True,
            lives_alone=True,
            notes="每周二上门",
        ),
        PersonFactory(
            household=household,
            name="Anna Example",
            id_type="passport",
            id_number="E12345678",
            id_tail="5678",
            gender="F",
            birth_date=datetime.date(1990, 1, 2),
            phone="13700000003",
            residence_status="away",
            has_chronic_illness=True,
        ),
    ]
    return people


# Columns ------------------------------------------------------------------------------------


@pytest.mark.parametrize("ledger", ["regions", "households", "residents"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_has_the_templates_header_row(city, officer, tmp_path, ledger, fmt):
    template = tmp_path / "template.xlsx"
    template.write_bytes(services.template_file(LEDGERS[ledger]).read())

    job = export(officer, ledger, city.street, fmt)

    header = read_export(job)[0]
    assert header == read_xlsx(template)[0]
    assert header == [c.header for c in LEDGERS[ledger].columns]
    assert job.rows_written == len(read_export(job)) - 1 > 0


def test_a_csv_export_opens_in_excel_as_utf8(city, officer):
    job = export(officer, "residents", city.street, "csv")

    raw = job.file_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "姓名" in raw.decode("utf-8-sig")


# Masking ------------------------------------------------------------------------------------


def test_an_export_is_masked_without_a_reason(city, officer, residents):
    job = export(officer, "residents", city.street)

    rows = read_export(job)
    names = {row[0] for row in rows[1:]}
    assert names == {"王*明", "李*英", "欧**明", "A**********e"}
    numbers = {row[2] for row in rows[1:]}
    number = city.person_a.id_number
    assert number[:4] + "**********" + number[-4:] in numbers
    assert "E12345678" not in numbers and len(numbers) == 4
    phones = {row[5] for row in rows[1:]}
    assert "138****0001" in phones and "" in phones
    flat = repr(rows)
    for secret in ("王小明", number, "13800000001", "欧阳晓明", "E12345678"):
        assert secret not in flat
    assert not job.revealed
    event = AccessEvent.objects.get()
    assert (event.kind, event.fields, event.actor) == ("export", [], officer)
    assert event.object_id == str(city.street.pk)


def test_a_reason_exports_plain_text_and_is_logged(city, officer, residents):
    job = export(officer, "residents", city.street, "csv", reason="核对流动人口")

    flat = repr(read_export(job))
    for secret in ("王小明", city.person_a.id_number, "13800000001", "欧阳晓明", "E12345678"):
        assert secret in flat
    assert job.revealed and job.reveal_reason == "核对流动人口"
    event = AccessEvent.objects.get()
    assert (event.kind, event.reason) == ("export", "核对流动人口")
    assert event.fields == ["name", "id_number", "phone"]


def test_households_and_regions_are_not_personal_exports(city, officer):
    export(officer, "households", city.street, reason="随便")
    export(officer, "regions", city.street)

    assert not AccessEvent.objects.exists()


# Round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_plain_residents_export_reimports_as_unchanged(city, officer, residents, fmt):
    job = export(officer, "residents", city.street, fmt, reason="年度核对")
    persons = list(Person.objects.order_by("id").values())
    households = Household.objects.count()
    changes = ObjectChange.objects.count()

    result = reimport(officer, "residents", job)

    assert result.errors == []
    assert result.unknown_columns == []
    assert (result.rows, result.created, result.updated, result.unchanged) == (4, 0, 0, 4)
    assert result.households_created == 0
    assert list(Person.objects.order_by("id").values()) == persons
    assert Household.objects.count() == households
    assert ObjectChange.objects.count() == changes + 1


def test_a_masked_export_reimported_changes_nobody(city, officer, residents):
    job = export(officer, "residents", city.street)
    persons = list(Person.objects.order_by("id").values())

    result = reimport(officer, "residents", job)

    assert result.created == 0 and result.updated == 0
    # One message for the file, naming the problem and the rows, not a checksum error per row.
    assert result.error_rows == 0 and result.errors == []
    assert "证件号码是脱敏的" in result.unreadable and "第 2–5 行" in result.unreadable
    assert list(Person.objects.order_by("id").values()) == persons


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_households_and_regions_round_trip(city, officer, fmt):
    Household.objects.filter(pk=city.household_a.pk).update(notes="一楼")
    region("350102001001001002", "3号楼", Level.BUILDING, city.grid_a)
    for ledger in ("households", "regions"):
        job = export(officer, ledger, city.street, fmt)

        result = reimport(officer, ledger, job)

        assert result.errors == [], ledger
        assert (result.created, result.updated) == (0, 0), ledger
        assert result.unchanged == job.rows_written > 1, ledger


def test_chinese_punctuation_survives_a_round_trip(city, officer):
    Person.objects.filter(pk=city.person_a.pk).update(notes="独居，需上门（周二）：送药")
    job = export(officer, "residents", city.grid_a, "xlsx", reason="核对")

    result = reimport(officer, "residents", job)

    assert (result.updated, result.unchanged) == (0, 1)
    city.person_a.refresh_from_db()
    assert city.person_a.notes == "独居，需上门（周二）：送药"


# Formula injection --------------------------------------------------------------------------


@pytest.fixture
def formula_notes(city):
    people = [city.person_a, city.person_b]
    extra = [
        PersonFactory(household=city.household_a, name=f"测试{n}", notes="")
        for n in range(len(FORMULAS) - len(people))
    ]
    for person, notes in zip([*people, *extra], FORMULAS, strict=True):
        Person.objects.filter(pk=person.pk).update(notes=notes)
    return FORMULAS


def test_csv_cells_that_look_like_formulas_are_escaped(city, officer, formula_notes):
    job = export(officer, "residents", city.street, "csv", reason="核对")

    rows = read_csv(job.file_path)
    notes = {row[rows[0].index("备注")] for row in rows[1:]}
    assert notes == {"'" + text for text in formula_notes}


def test_xlsx_cells_that_look_like_formulas_are_strings(city, officer, formula_notes):
    job = export(officer, "residents", city.street, "xlsx", reason="核对")

    sheet = openpyxl.load_workbook(job.file_path).worksheets[0]
    column = [c.value for c in sheet[1]].index("备注") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    assert {c.value for c in cells} == set(formula_notes)
    assert {c.data_type for c in cells} == {"s"}
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reimporting_an_escaped_export_restores_the_notes(city, officer, formula_notes, fmt):
    job = export(officer, "residents", city.street, fmt, reason="核对")
    Person.objects.filter(notes__in=formula_notes).update(notes="临时")

    result = reimport(officer, "residents", job)

    assert result.errors == []
    assert result.updated == len(formula_notes)
    assert sorted(Person.objects.values_list("notes", flat=True)) == sorted(formula_notes)
    assert reimport(officer, "residents", job).unchanged == len(formula_notes)


# Scope --------------------------------------------------------------------------------------


def test_a_worker_exports_only_their_grid(city, worker_a, residents):
    job = export(worker_a, "residents", city.grid_a, "csv", reason="入户核对")

    rows = read_csv(job.file_path)
    assert {row[0] for row in rows[1:]} == {"王小明", "欧阳晓明", "Anna Example"}
    assert "李秀英" not in repr(rows)
    assert {row[rows[0].index("楼栋代码")] for row in rows[1:]} == {city.building_a.code}
    households = read_csv(export(worker_a, "households", city.grid_a, "csv").file_path)
    assert {row[6] for row in households[1:]} == {"101", "102"}


def test_a_worker_cannot_export_a_region_above_their_grid(city, worker_a):
    with pytest.raises(PermissionDenied):
        services.start_export(actor=worker_a, ledger="residents", region=city.community)
    assert not AccessEvent.objects.exists()


def test_the_export_names_the_street_community_and_grid(city, officer):
    job = export(officer, "residents", city.grid_a, "csv")

    rows = read_csv(job.file_path)
    header = rows[0]
    row = dict(zip(header, rows[1], strict=True))
    assert (row["街道"], row["社区"], row["网格"], row["楼栋"]) == (
        "东街街道",
        "三坊社区",
        "第一网格",
        "1号楼",
    )


def test_an_export_is_in_region_order(city, officer):
    Region.objects.filter(pk=city.building_b.pk).update(name="0号楼")
    job = export(officer, "regions", city.street, "csv")

    codes = [row[0] for row in read_csv(job.file_path)[1:]]
    assert codes == sorted(codes)
    assert codes[0] == city.street.code


def test_an_export_can_keep_only_a_tag_like_the_list(city, officer, tmp_path, settings):
    from fangyi.ledgers import services
    from fangyi.ledgers.models import JobStatus

    from ..factories import PersonFactory

    PersonFactory(household=city.household_a, name="卧床甲", is_bedridden=True)
    job = services.start_export(
        actor=officer, ledger="residents", region=city.street, filters={"tag": "bedridden"}
    )
    assert job.status == JobStatus.DONE and job.filters == {"tag": "bedridden"}
    rows = read_xlsx(job.file_path)
    assert [row[0] for row in rows[1:]] == ["卧*甲"]
    bedridden = rows[0].index("卧床")
    assert rows[1][bedridden] == "是"


def test_an_unknown_export_filter_is_refused(city, officer):
    from django.core.exceptions import ValidationError

    from fangyi.ledgers import services

    with pytest.raises(ValidationError) as raised:
        services.start_export(
            actor=officer, ledger="residents", region=city.street, filters={"tag": "giant"}
        )
    assert "tag" in raised.value.message_dict
    with pytest.raises(ValidationError):
        services.start_export(
            actor=officer, ledger="regions", region=city.street, filters={"tag": "bedridden"}
        )
