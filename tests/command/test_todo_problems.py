"""The command screen's to-do carries today's problem list (急难愁盼清单) of its city or
district: the items not fixed yet, those to fix today first, each linked to its page."""

from fangyi.hotline.models import Outcome, ProblemItem, ProblemKind
from fangyi.hotline.problems import services as problems
from tests.support import signed_in


def item(problem_list, title: str, **kwargs) -> ProblemItem:
    return ProblemItem.objects.create(
        problem_list=problem_list, kind=ProblemKind.MANUAL, key=title, title=title, **kwargs
    )


def test_the_items_not_fixed_are_listed_with_links(city, commander):
    today = problems.make_list(actor=commander, region=city.district)
    urgent = item(today, "东街积水", fix_today=True)
    later = item(today, "三坊菜价", count=3)
    item(today, "已修好的路灯", outcome=Outcome.FIXED)
    client = signed_in(commander)

    for region in (city.district, city.street):  # a street's screen reads its district's list
        todo = client.get(f"/command/todo/?region={region.code}").content.decode()
        assert 'id="command-problems"' in todo
        assert todo.index("东街积水") < todo.index("三坊菜价")
        assert "已修好的路灯" not in todo
        assert f'href="/hotline/problems/{today.pk}/#item-{urgent.pk}"' in todo
        assert f'href="/hotline/problems/{today.pk}/#item-{later.pk}"' in todo
        assert "2 项未解决" in todo

    city_todo = client.get(f"/command/todo/?region={city.city.code}").content.decode()
    assert 'id="command-problems"' not in city_todo  # the city has no list today
    assert 'id="command-problems"' not in client.get("/command/todo/").content.decode()


def test_the_problem_list_is_not_shown_out_of_scope(city, officer, commander):
    problems.make_list(actor=commander, region=city.district)
    client = signed_in(officer)
    assert client.get(f"/command/todo/?region={city.district.code}").status_code == 404
