"""A resident moved by a ledger import leaves the zone's colour with the old building."""

import pytest

from fangyi.health import services
from fangyi.health.models import Status
from fangyi.ledgers import services as ledger_services
from tests.ledgers.support import write_xlsx


@pytest.fixture(autouse=True)
def ledger_dir(settings, tmp_path):
    settings.FANGYI_LEDGER_DIR = tmp_path / "ledgers"


def test_a_ledger_move_recomputes_the_colour(city, officer, tmp_path):
    services.draw_zone(actor=officer, kind="high", regions=[city.building_a], reason="x")
    assert Status.objects.get(person=city.person_a).colour == "red"
    path = write_xlsx(
        tmp_path / "move.xlsx",
        [
            ["姓名", "身份证号码", "楼栋编码", "单元", "房号"],
            ["王小明", city.person_a.id_number, city.building_b.code, "1", "202"],
        ],
    )
    _job, result = ledger_services.import_path(actor=officer, ledger="residents", path=path)
    assert (result.updated, result.error_rows) == (1, 0), result.errors
    status = Status.objects.get(person=city.person_a)
    assert (status.colour, status.region_path) == ("green", city.building_b.path)
