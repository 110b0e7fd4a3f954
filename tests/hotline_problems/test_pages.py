"""The problem lists' pages: the lists and a region's history, a list by kind, an item put on
by hand, an item's outcome; who sees the outcome link."""

import pytest
from django.urls import reverse

from fangyi.hotline.area import OPERATOR
from fangyi.hotline.models import Outcome, ProblemItem, ProblemList
from fangyi.hotline.problems import services
from tests.factories import staff
from tests.hotline_open311.support import unit_of
from tests.support import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(city):
    return unit_of(city.district)


def test_made_on_the_page_then_shown_with_its_history(city, commander):
    browser = signed_in(commander)
    empty = browser.get(reverse("hotline_problems:lists")).content.decode()
    assert "还没有清单。" in empty
    made = browser.post(reverse("hotline_problems:make"), {"region": city.district.code})
    problem_list = ProblemList.objects.get()
    assert made["Location"] == reverse("hotline_problems:detail", args=[problem_list.pk])
    page = browser.get(made["Location"]).content.decode()
    assert "今日清单没有事项。" in page
    history = browser.get(reverse("hotline_problems:lists"), {"region": city.district.code})
    assert str(problem_list.pk) in history.content.decode()
    refused = browser.post(reverse("hotline_problems:make"), {"region": city.street.code})
    assert refused.status_code == 400 and "没有这个市或区县" in refused.content.decode()


def test_an_item_by_hand_and_its_outcome_on_the_pages(city, commander, unit):
    problem_list = services.make_list(actor=commander, region=city.district)
    browser = signed_in(commander)
    form = reverse("hotline_problems:add-item", args=[problem_list.pk])
    assert unit.name in browser.get(form).content.decode()
    assert browser.post(form, {"title": " ", "unit": str(unit.pk)}).status_code == 400
    added = browser.post(form, {"title": "药店缺退烧药", "unit": str(unit.pk), "fix_today": "on"})
    assert added.status_code == 302
    item = ProblemItem.objects.get()
    assert item.fix_today and item.unit == unit
    outcome = reverse("hotline_problems:item", args=[item.pk])
    missing_note = browser.post(outcome, {"outcome": Outcome.NOT_FIXED, "note": ""})
    assert missing_note.status_code == 400
    assert browser.post(outcome, {"outcome": Outcome.FIXED, "note": "已调拨"}).status_code == 302
    page = browser.get(reverse("hotline_problems:detail", args=[problem_list.pk])).content.decode()
    assert "药店缺退烧药" in page and "已调拨" in page and "已解决" in page


def test_an_operator_sees_the_list_but_no_outcome_link(city, commander, unit):
    problem_list = services.make_list(actor=commander, region=city.district)
    item = services.add_item(actor=commander, problem_list=problem_list, title="缺药", unit=unit)
    operator = staff(OPERATOR, city.city, username="operator")
    page = signed_in(operator).get(reverse("hotline_problems:detail", args=[problem_list.pk]))
    assert "缺药" in page.content.decode()
    assert reverse("hotline_problems:item", args=[item.pk]) not in page.content.decode()
    assert (
        signed_in(operator).get(reverse("hotline_problems:item", args=[item.pk])).status_code == 403
    )
