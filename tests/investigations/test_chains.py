import datetime

from django.utils import timezone

from fangyi.investigations import chains, services
from fangyi.investigations.models import Investigation

from .support import contact_of, hours_ago, opened, resident


def three_generations(city, tracer):
    first = opened(city.person_a, actor=tracer, at=hours_ago(50))
    contact_of(first, city.person_b, actor=tracer, at=hours_ago(60))
    bystander = resident(city.building_a, name="周七")
    contact_of(first, bystander, actor=tracer, category="secondary", at=hours_ago(60))
    second = opened(city.person_b, actor=tracer, at=hours_ago(20))
    grandchild = resident(city.building_b, name="吴八")
    contact_of(second, grandchild, actor=tracer, at=hours_ago(25))
    services.record_contact(
        actor=tracer,
        investigation=second,
        category="close",
        exposure_at=hours_ago(25),
        name="郑九",
        address="2号楼",
        region=city.grid_b,
    )
    third = opened(grandchild, actor=tracer, at=hours_ago(2))
    return first, second, third, bystander


def test_the_graph_has_each_person_once_and_a_link_per_contact(city, tracer):
    first, second, third, bystander = three_generations(city, tracer)
    data = chains.graph(first)
    nodes = {node["id"]: node for node in data["nodes"]}
    # Three cases, the bystander and the one to locate.
    assert len(nodes) == 5
    assert nodes[str(city.person_b.pk)]["kind"] == "case"
    assert nodes[str(city.person_b.pk)]["generation"] == 1
    assert nodes[str(third.person_id)]["generation"] == 2
    assert nodes[str(bystander.pk)]["kind"] == "secondary"
    assert {node["kind"] for node in nodes.values()} == {"case", "secondary", "to_locate"}
    assert {"source": str(city.person_a.pk), "target": str(city.person_b.pk)} in data["links"]
    assert len(data["links"]) == 4
    # Masked, and each resident's node opens their page.
    assert nodes[str(bystander.pk)]["name"] != "周七"
    assert nodes[str(bystander.pk)]["url"].endswith(f"/{bystander.pk}/")
    # Any case of the chain reads the same chain.
    assert len(chains.graph(third)["nodes"]) == 5


def test_the_graph_is_filtered_by_time_and_region(city, tracer):
    first, *_rest = three_generations(city, tracer)
    Investigation.objects.filter(pk=first.pk).update(found_at=hours_ago(50))
    recent = chains.graph(first, since=hours_ago(30))
    assert {n["kind"] for n in recent["nodes"] if n["id"] == str(city.person_a.pk)} == set()
    in_grid_b = chains.graph(first, within=city.grid_b.path)
    cases = {n["id"] for n in in_grid_b["nodes"] if n["kind"] == "case"}
    assert str(city.person_a.pk) not in cases and str(city.person_b.pk) in cases


def test_figures_per_chain(city, tracer):
    first, *_rest = three_generations(city, tracer)
    other = resident(city.building_b)
    lone = opened(other, actor=tracer, at=hours_ago(1))
    Investigation.objects.filter(pk=first.pk).update(
        found_at=timezone.now() - datetime.timedelta(days=9)
    )
    first.refresh_from_db()
    figures = {figure.root.pk: figure for figure in chains.figures([first, lone])}
    assert figures[first.pk].size == 5
    assert figures[first.pk].cases == 3
    assert figures[first.pk].generations == 3
    assert figures[first.pk].new_this_week == 2
    assert (figures[lone.pk].size, figures[lone.pk].generations) == (1, 1)
