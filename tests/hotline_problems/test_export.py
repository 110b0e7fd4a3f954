"""The problem lists as an Excel ledger: one row per item, with its outcome and note."""

import pytest

from fangyi.hotline.models import Outcome
from fangyi.hotline.problems import services
from fangyi.hotline.problems.ledger import ProblemListLedger
from fangyi.ledgers.registry import get_ledger
from tests.hotline_open311.support import unit_of

pytestmark = pytest.mark.django_db


def test_every_item_of_the_regions_lists_is_a_row(city, commander):
    assert get_ledger("hotline-problems") is ProblemListLedger
    unit = unit_of(city.district)
    problem_list = services.make_list(actor=commander, region=city.district)
    item = services.add_item(
        actor=commander, problem_list=problem_list, title="缺药", unit=unit, fix_today=True
    )
    services.set_outcome(actor=commander, item=item, outcome=Outcome.NOT_FIXED, note="明日到货")
    ledger = ProblemListLedger(actor=commander)
    rows = list(ledger.export_rows(region=city.city, reveal=False, filters={"days": "7"}))
    assert len(rows) == 1
    day, code, region, kind, title, count, ticket, unit_name, fix_today, outcome, note = rows[0]
    assert (code, title, unit_name, fix_today, note) == (
        city.district.code,
        "缺药",
        unit.name,
        "是",
        "明日到货",
    )
    assert str(outcome) == "未解决" and day == problem_list.day.isoformat()
    assert list(ledger.export_rows(region=city.province, reveal=False, filters={})) == rows
