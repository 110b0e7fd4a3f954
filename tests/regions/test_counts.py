from fangyi.people.models import Person
from fangyi.regions.models import Region
from fangyi.regions.services import refresh_counts


def test_refresh_counts_rolls_up_every_level(city):
    Region.objects.update(resident_count=99, household_count=99)
    refresh_counts()
    by_code = dict(Region.objects.values_list("code", "resident_count"))
    assert by_code[city.city.code] == Person.objects.count() == 2
    assert by_code[city.grid_a.code] == 1
    assert by_code[city.building_b.code] == 1
    assert Region.objects.get(code=city.province.code).household_count == 2
