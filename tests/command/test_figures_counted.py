"""Each figure against a hand-counted day (support.counted_day), in every region at once."""

from fangyi.command import figures
from fangyi.health.models import Status

from .support import beijing, counted_day


def test_new_cases_split_into_controlled_and_community_per_region(city, superuser):
    day = counted_day(city, superuser)
    values = figures.compute(day.day, now=beijing(day.day, 23))
    grid_a, grid_b = city.grid_a.path, city.grid_b.path
    assert values[grid_a]["cases.new"] == 3
    assert values[grid_a]["cases.community"] == 2
    assert values[grid_a]["cases.controlled"] == 1
    assert "cases.new" not in values.get(grid_b, {})
    for ancestor in (city.community.path, city.street.path, "350102", "3501", "35"):
        assert values[ancestor]["cases.community"] == 2
        assert values[ancestor]["cases.controlled"] == 1


def test_orders_by_kind_and_to_place(city, superuser):
    day = counted_day(city, superuser)
    values = figures.compute(day.day, now=beijing(day.day, 23))
    assert values[city.grid_a.path]["orders.home"] == 1
    assert "orders.to_place" not in values[city.grid_a.path]
    assert values[city.grid_b.path]["orders.to_place"] == 1
    assert values[city.community.path]["orders.home"] == 1
    assert values[city.community.path]["orders.to_place"] == 1


def test_residents_by_colour_roll_up_from_their_statuses(city, superuser):
    day = counted_day(city, superuser)
    values = figures.compute(day.day, now=beijing(day.day, 23))
    reds = Status.objects.filter(colour="red", region_path__startswith=city.grid_a.path).count()
    assert reds == 3
    assert values[city.grid_a.path]["residents.red"] == 3
    assert values[city.community.path]["residents.red"] == 3


def test_a_region_counts_only_below_itself(city, superuser):
    day = counted_day(city, superuser)
    values = figures.compute(day.day, within=city.grid_b.path, now=beijing(day.day, 23))
    assert set(values) == {city.grid_b.path}
    assert values[city.grid_b.path]["orders.to_place"] == 1


def test_every_figure_has_a_stable_unique_key_a_name_and_a_unit():
    keys = [figure.key for figure in figures.FIGURES]
    assert len(keys) == len(set(keys))
    for figure in figures.FIGURES:
        assert str(figure.name) and str(figure.unit)
