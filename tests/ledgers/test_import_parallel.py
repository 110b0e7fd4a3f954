"""A residents ledger split by building over processes writes what one process writes.

Each test imports the same file twice: once in one process inside a transaction that is then
rolled back, and once split over processes (on PostgreSQL; SQLite always imports in one
process), and compares everything the import leaves behind with the ids taken out.
"""

import json
import zipfile

import pytest
from django.db import connection, transaction

from fangyi.core.models import ObjectChange
from fangyi.ledgers import cutting, emptyload, services, splitting
from fangyi.people.models import Household, Person
from fangyi.regions.models import Level, Region
from fangyi.regions.services import refresh_counts
from tests.factories import region
from tests.ledgers.support import (
    RESIDENT_HEADERS,
    read_xlsx,
    rewrite_sheet,
    synthetic_id,
    with_sheet_crc,
    write_xlsx,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ledger_dir")]

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="imports are split on PostgreSQL only"
)


@pytest.fixture(params=["dealt", "cut"])
def split(request, settings, monkeypatch):
    """Splits any file, into chunks of 20 rows; records the passes that were split.

    "dealt": the parent reads the file and deals its rows to the parts by building; "cut":
    the sheet is cut into one piece a part (cutting.py) and the parts trade rows by building.
    """
    settings.FANGYI_LEDGER_SPLIT_MIN_ROWS = 1
    settings.FANGYI_LEDGER_PROCESSES = 3
    monkeypatch.setattr("fangyi.ledgers.importing.CHUNK_ROWS", 20)
    monkeypatch.setattr(splitting, "CHUNK_ROWS", 20)
    if request.param == "cut":
        monkeypatch.setattr(cutting, "MIN_SHEET_BYTES", 0)
        monkeypatch.setattr(cutting, "HEAD_ROWS", 3)
    passes = []
    original = splitting.split_pass

    def recorded(importer, result, heading, table, *args, **kwargs):
        cut = table.pieces is not None and len(table.pieces) == kwargs["parts"]
        assert cut == (request.param == "cut")
        passes.append(kwargs["parts"])
        return original(importer, result, heading, table, *args, **kwargs)

    monkeypatch.setattr(splitting, "split_pass", recorded)
    return passes


@pytest.fixture
def buildings(city):
    """Six buildings over the two grids, besides the fixture's two."""
    made = []
    for n in range(2, 8):
        grid = city.grid_a if n % 2 else city.grid_b
        made.append(region(f"{grid.code}{n:03d}", f"{n}号楼", Level.BUILDING, grid))
    return [city.building_a, city.building_b, *made]


def ledger_rows(city, buildings) -> list[list]:
    """200 rows over eight buildings, in no building order, with every kind of outcome:
    new households shared by several rows, an update that moves a known resident, IDs repeated
    across buildings, and rows in error."""
    rows: list[list] = [["东街街道居民台账"], RESIDENT_HEADERS]
    for n in range(1, 200):
        building = buildings[(n * 7) % len(buildings)]
        phone = "12345" if n % 37 == 0 else f"137{n:08d}"
        rows.append(
            [
                f"居民{n}",
                synthetic_id(n, male=n % 2 == 0),
                phone,
                building.code,
                "",
                str(n % 5 + 101),
            ]
        )
    rows[40][1] = rows[12][1]  # a repeat of row 13, in another building: row 41 in error
    rows[150][1] = rows[12][1]  # and again
    rows[90][1] = rows[90][1][:17] + ("1" if rows[90][1][17] != "1" else "2")  # bad checksum
    rows[120][3] = "350102001001009009"  # no such building
    rows[130][3] = ""  # a new resident with no building
    rows.append([city.person_a.name, city.person_a.id_number, "", city.building_b.code, "9", "909"])
    return rows


def snapshot(result, job) -> dict:
    """What an import leaves behind, with ids replaced by what identifies each object."""
    households = {
        h.pk: (h.building.code, h.unit, h.room)
        for h in Household.objects.select_related("building")
    }
    persons = {p.pk: p for p in Person.objects.all()}
    names = {str(pk): "household " + "/".join(key) for pk, key in households.items()}
    names.update({str(pk): f"person {p.id_number}" for pk, p in persons.items()})

    def plain(value) -> str:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        for pk, name in names.items():
            text = text.replace(pk, name)
        return text

    changes = sorted(
        (c.object_type, names.get(c.object_id, ""), c.action, c.region_path, c.object_repr,
         plain(c.before), plain(c.after), c.actor_id, c.via)
        for c in ObjectChange.objects.exclude(object_type="ledgers.importjob")
    )  # fmt: skip
    return {
        "outcome": (
            result.rows,
            result.created,
            result.updated,
            result.unchanged,
            result.error_rows,
            result.households_created,
            result.rows_written,
            result.refused,
            result.unreadable,
        ),  # fmt: skip
        "errors": result.errors,
        "error_file": read_xlsx(job.error_file_path) if job.error_file_path.exists() else None,
        "persons": sorted(
            (
                p.id_number,
                p.name,
                p.gender,
                str(p.birth_date),
                p.phone,
                p.region_path,
                households[p.household_id],
                p.residence_status,
            )
            for p in persons.values()
        ),  # fmt: skip
        "households": sorted(households.values()),
        "counts": sorted(Region.objects.values_list("path", "resident_count", "household_count")),
        "audit": changes,
    }


def import_both_ways(actor, path, **options) -> tuple[dict, dict]:
    """(one process, rolled back afterwards; then split) snapshots of the same import."""
    with transaction.atomic():
        job, result = services.import_path(actor=actor, ledger="residents", path=path, **options)
        job.refresh_from_db()
        alone = snapshot(result, job)
        transaction.set_rollback(True)
    job, result = services.import_path(actor=actor, ledger="residents", path=path, **options)
    job.refresh_from_db()
    return alone, snapshot(result, job)


@pytest.fixture
def loads(monkeypatch):
    """Whether each split pass that writes took the empty tables for a load (emptyload.py)."""
    taken = []
    original = emptyload.EmptyLoad.begin

    def recorded(self):
        taken.append(original(self))
        return taken[-1]

    monkeypatch.setattr(emptyload.EmptyLoad, "begin", recorded)
    return taken


@pytest.fixture
def empty_registry(city):
    Person.objects.all().delete()
    Household.objects.all().delete()
    refresh_counts()


def schema() -> list[tuple[str, str]]:
    """The indexes and constraints of the tables an empty load rebuilds, as the catalog says."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename IN ('people_person', 'people_household') "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid IN ('people_person'::regclass, 'people_household'::regclass) "
            "ORDER BY 1, 2"
        )
        return cursor.fetchall()


def test_a_split_import_writes_what_one_process_writes(
    split, loads, city, buildings, officer, tmp_path
):
    path = write_xlsx(tmp_path / "a.xlsx", ledger_rows(city, buildings))

    alone, parts = import_both_ways(officer, path)

    # The registry holds the city's two residents: each part writes its own chunks.
    assert loads == ([False] if connection.vendor == "postgresql" else [])
    assert parts == alone
    outcome = dict(zip(["rows", "created", "updated"], alone["outcome"][:3], strict=True))
    assert outcome == {"rows": 200, "created": 189, "updated": 1}
    by_row = {}
    for error in alone["errors"]:
        by_row.setdefault(error["row"], []).append(error["message"])
    assert "第 13 行" in by_row[41][0] and "第 13 行" in by_row[151][0]
    assert sorted(by_row) == [39, 41, 76, 91, 113, 121, 131, 150, 151, 187]
    assert split == ([3] if connection.vendor == "postgresql" else [])


@postgres_only
def test_a_cut_sheet_with_a_piece_that_may_read_otherwise_is_read_whole(
    settings, monkeypatch, city, buildings, officer, tmp_path
):
    settings.FANGYI_LEDGER_SPLIT_MIN_ROWS = 1
    settings.FANGYI_LEDGER_PROCESSES = 3
    monkeypatch.setattr(cutting, "MIN_SHEET_BYTES", 0)
    monkeypatch.setattr(cutting, "HEAD_ROWS", 3)
    cut = []
    original = splitting.split_pass

    def recorded(importer, result, heading, table, *args, **kwargs):
        cut.append(table.pieces is not None)
        return original(importer, result, heading, table, *args, **kwargs)

    monkeypatch.setattr(splitting, "split_pass", recorded)
    path = rewrite_sheet(
        write_xlsx(tmp_path / "a.xlsx", ledger_rows(city, buildings)),
        # A row without its number, in the last piece: numbered after the one before.
        lambda xml: xml.replace(b'<row r="180"', b"<row", 1),
    )

    alone, parts = import_both_ways(officer, path)

    assert cut == [True, False]
    assert parts == alone
    assert list(alone["outcome"][:3]) == [200, 189, 1]


def test_a_sheet_whose_crc_does_not_match_is_refused_with_nothing_written(
    request, split, city, buildings, officer, tmp_path
):
    # Read whole, zipfile finds it; cut, the split pass checks it once the parts have started.
    path = write_xlsx(tmp_path / "a.xlsx", ledger_rows(city, buildings))
    with zipfile.ZipFile(path) as archive:
        crc = archive.getinfo("xl/worksheets/sheet1.xml").CRC
    before = (Person.objects.count(), Household.objects.count())

    alone, parts = import_both_ways(officer, with_sheet_crc(path, crc ^ 1))

    assert parts == alone
    assert "损坏" in alone["outcome"][-1]
    cut = request.node.callspec.params["split"] == "cut"
    assert split == ([3] if cut and connection.vendor == "postgresql" else [])
    assert (Person.objects.count(), Household.objects.count()) == before


def test_a_split_dry_run_counts_what_one_process_counts(split, city, buildings, officer, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", ledger_rows(city, buildings))

    alone, parts = import_both_ways(officer, path, dry_run=True)

    assert parts == alone and alone["outcome"][1] == 189
    assert split == ([3] if connection.vendor == "postgresql" else [])


def test_all_or_nothing_refuses_the_whole_file_for_a_row_in_any_part(
    split, city, buildings, officer, tmp_path
):
    path = write_xlsx(tmp_path / "a.xlsx", ledger_rows(city, buildings))

    alone, parts = import_both_ways(officer, path, all_or_nothing=True)

    assert parts == alone
    assert alone["outcome"][7] is True and alone["outcome"][6] == 0
    assert len(alone["persons"]) == 2  # the fixture's


def test_all_or_nothing_writes_every_part_when_every_row_is_good(
    split, city, buildings, officer, tmp_path
):
    rows = ledger_rows(city, buildings)
    wrong = {40, 90, 120, 130, 150}
    good = [row for n, row in enumerate(rows) if n not in wrong and row[2:3] != ["12345"]]
    path = write_xlsx(tmp_path / "a.xlsx", good)

    alone, parts = import_both_ways(officer, path, all_or_nothing=True)

    assert alone["errors"] == [] and alone["outcome"][7] is False
    assert parts == alone


@postgres_only
def test_a_part_that_breaks_off_undoes_every_part_of_an_all_or_nothing_import(
    split, city, buildings, officer, tmp_path
):
    rows = [RESIDENT_HEADERS]
    for n in range(1, 121):
        building = buildings[n % len(buildings)]
        rows.append([f"居民{n}", synthetic_id(n), "", building.code, "", "666" if n == 97 else "1"])
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    before = Person.objects.count(), Household.objects.count(), ObjectChange.objects.count()
    # The household of row 98 cannot be written: its part breaks off while the others wait.
    _refuse_room_666()
    try:
        with pytest.raises(splitting.PartFailed, match="room 666 refused"):
            services.import_path(actor=officer, ledger="residents", path=path, all_or_nothing=True)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER refuse_666 ON people_household")
            cursor.execute("DROP FUNCTION refuse_666()")

    assert split == [3, 3]  # the dry run, then the write pass
    after = Person.objects.count(), Household.objects.count(), ObjectChange.objects.count()
    assert after == before
    city.city.refresh_from_db()
    assert city.city.resident_count == 2


@postgres_only
def test_a_split_import_into_an_empty_registry_loads_what_one_process_writes(
    split, loads, city, empty_registry, buildings, officer, tmp_path
):
    path = write_xlsx(tmp_path / "a.xlsx", ledger_rows(city, buildings))
    before = schema()

    alone, parts = import_both_ways(officer, path)

    assert loads == [True]
    assert parts == alone
    assert alone["outcome"][:3] == (200, 190, 0) and len(alone["errors"]) == 10
    assert schema() == before


@postgres_only
def test_an_all_or_nothing_load_into_an_empty_registry(
    split, loads, city, empty_registry, buildings, officer, tmp_path
):
    rows = ledger_rows(city, buildings)
    refused = write_xlsx(tmp_path / "refused.xlsx", rows)
    wrong = {40, 90, 120, 130, 150}
    good = [row for n, row in enumerate(rows) if n not in wrong and row[2:3] != ["12345"]]
    written = write_xlsx(tmp_path / "written.xlsx", good)

    alone, parts = import_both_ways(officer, refused, all_or_nothing=True)
    assert parts == alone and alone["outcome"][7] is True and alone["persons"] == []
    assert loads == []  # refused by the dry run: no write pass

    alone, parts = import_both_ways(officer, written, all_or_nothing=True)
    assert loads == [True]
    assert parts == alone and alone["errors"] == [] and alone["outcome"][7] is False
    assert len(parts["persons"]) == alone["outcome"][1] > 150


@postgres_only
def test_an_empty_load_that_fails_leaves_the_tables_empty_with_their_indexes(
    split, loads, city, empty_registry, buildings, officer, tmp_path
):
    rows = [RESIDENT_HEADERS]
    for n in range(1, 121):
        building = buildings[n % len(buildings)]
        rows.append([f"居民{n}", synthetic_id(n), "", building.code, "", "666" if n == 97 else "1"])
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    before = schema()
    audit_rows = ObjectChange.objects.count()
    _refuse_room_666()
    try:
        with pytest.raises(Exception, match="room 666 refused"):
            services.import_path(actor=officer, ledger="residents", path=path)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER refuse_666 ON people_household")
            cursor.execute("DROP FUNCTION refuse_666()")

    assert loads == [True]
    assert (Person.objects.count(), Household.objects.count()) == (0, 0)
    # The job's own audit rows only.
    assert not ObjectChange.objects.filter(object_type__startswith="people.").exists()
    assert ObjectChange.objects.count() >= audit_rows
    assert schema() == before
    city.city.refresh_from_db()
    assert city.city.resident_count == 0


def _refuse_room_666() -> None:
    """A household in room 666 cannot be written: the import breaks off at its row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_666() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.room = '666' THEN RAISE EXCEPTION 'room 666 refused'; END IF; "
            "RETURN NEW; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_666 BEFORE INSERT ON people_household "
            "FOR EACH ROW EXECUTE FUNCTION refuse_666()"
        )
