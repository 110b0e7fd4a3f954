"""An all-or-nothing import reads its file twice and unpacks it for the zip checks once."""

import os

import pytest

from fangyi.ledgers import importing, reading, services
from fangyi.people.models import Person
from tests.ledgers.support import RESIDENT_HEADERS, synthetic_id, write_xlsx

pytestmark = pytest.mark.usefixtures("ledger_dir")


@pytest.fixture
def zip_checks(monkeypatch):
    checked = []
    original = reading._check_zip

    def counted(path, *args):
        checked.append(path)
        return original(path, *args)

    monkeypatch.setattr(reading, "_check_zip", counted)
    return checked


def rows(city, count: int) -> list[list]:
    code = city.building_a.code
    return [RESIDENT_HEADERS] + [
        [f"赵{n}", synthetic_id(n), "", code, "1", f"{n}01"] for n in range(1, count + 1)
    ]


def test_the_second_pass_does_not_unpack_the_file_again(city, officer, tmp_path, zip_checks):
    path = write_xlsx(tmp_path / "a.xlsx", rows(city, 3))

    _job, result = services.import_path(
        actor=officer, ledger="residents", path=path, all_or_nothing=True
    )

    assert result.created == 3 and not result.refused
    assert len(zip_checks) == 1


def test_a_file_changed_between_the_passes_is_checked_again(
    city, officer, tmp_path, zip_checks, monkeypatch
):
    path = write_xlsx(tmp_path / "a.xlsx", rows(city, 3))
    original = importing.Importer._pass
    passes = []

    def replaced_after_the_dry_run(self, **kwargs):
        if passes:
            # Another workbook at the same path, written after the first pass.
            write_xlsx(path, rows(city, 4))
            os.utime(path, ns=(1, 1))
        passes.append(kwargs)
        return original(self, **kwargs)

    monkeypatch.setattr(importing.Importer, "_pass", replaced_after_the_dry_run)

    services.import_path(actor=officer, ledger="residents", path=path, all_or_nothing=True)

    assert len(passes) == 2 and len(zip_checks) == 2
    assert Person.objects.filter(name__startswith="赵").count() == 4
