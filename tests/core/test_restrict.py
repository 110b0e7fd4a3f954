from fangyi.core.permissions import EVERYWHERE, minimal_paths, scope_paths
from fangyi.people.models import Person
from fangyi.regions.models import Region


def test_grid_worker_lists_only_own_grid(city, worker_a):
    assert list(Person.objects.restrict(worker_a, "view")) == [city.person_a]


def test_officer_of_street_sees_both_grids(city, officer):
    assert set(Person.objects.restrict(officer, "view")) == {city.person_a, city.person_b}


def test_lab_sees_no_person(city):
    from ..factories import staff

    lab = staff("lab", city.city)
    assert not Person.objects.restrict(lab, "view").exists()


def test_anonymous_sees_nothing(city):
    from django.contrib.auth.models import AnonymousUser

    assert not Region.objects.restrict(AnonymousUser(), "view").exists()


def test_superuser_everywhere(city):
    from ..factories import UserFactory

    root = UserFactory(is_superuser=True)
    assert scope_paths(root, "person", "view") is EVERYWHERE


def test_minimal_paths_drops_nested():
    assert minimal_paths(["3501", "350102", "3502"]) == ["3501", "3502"]


def test_restrict_does_not_leak_to_sibling_with_same_prefix_digits(city, worker_a):
    # Grid 001 must not match grid 0010… style neighbours; paths have fixed lengths per level.
    assert not Person.objects.restrict(worker_a, "view").filter(pk=city.person_b.pk).exists()


def test_within_narrows_to_the_region(city, officer):
    assert list(Person.objects.restrict(officer, "view", within=city.grid_b.path)) == [
        city.person_b
    ]


def test_within_cannot_widen_the_scope(city, worker_a):
    assert not Person.objects.restrict(worker_a, "view", within=city.grid_b.path).exists()
    assert list(Person.objects.restrict(worker_a, "view", within=city.community.path)) == [
        city.person_a
    ]
