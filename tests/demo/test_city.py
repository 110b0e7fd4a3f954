"""The generated city, without a database: fast enough to look at every resident."""

import datetime
import random
import statistics
from collections import Counter

import pytest
from stdnum.cn import ric

from fangyi.demo.city import (
    BUILDING_HOUSEHOLDS,
    DISTRICTS,
    GRID_HOUSEHOLDS,
    CityGenerator,
    plan_city,
)
from fangyi.people.models import Gender
from fangyi.people.validation import (
    birth_date_from_resident_id,
    gender_from_resident_id,
    validate_mobile,
    validate_resident_id,
)
from fangyi.regions.models import Level

AS_OF = datetime.date(2026, 6, 1)


def city(residents=2000, seed=7):
    generator = CityGenerator(residents=residents, seed=seed, as_of=AS_OF)
    return generator, list(generator.households())


def fingerprint(households):
    return [
        (h.id, h.building.code, h.unit, h.room)
        + tuple((p.id, p.name, p.id_number, p.phone, p.birth_date) for p in h.members)
        for h in households
    ]


def age(birth_date):
    return (
        AS_OF.year
        - birth_date.year
        - ((AS_OF.month, AS_OF.day) < (birth_date.month, birth_date.day))
    )


def test_same_seed_gives_the_same_city_and_another_seed_another():
    first, first_households = city(seed=7)
    second, second_households = city(seed=7)
    assert fingerprint(first_households) == fingerprint(second_households)
    assert [(n.id, n.code, n.name) for n in first.plan.walk()] == [
        (n.id, n.code, n.name) for n in second.plan.walk()
    ]
    _other, other_households = city(seed=8)
    assert fingerprint(other_households) != fingerprint(first_households)


def test_exactly_the_residents_asked_for_in_households_of_one_to_five():
    _generator, households = city(residents=2000)
    sizes = [len(h.members) for h in households]
    assert sum(sizes) == 2000
    assert set(sizes) <= {1, 2, 3, 4, 5}
    assert 2.4 < statistics.mean(sizes) < 2.8


def test_district_codes_are_real_ones_python_stdnum_knows():
    for code, _name, _weight, _streets in DISTRICTS:
        number = ric.calc_check_digit(f"{code}19900101001" + "0")
        assert validate_resident_id(f"{code}19900101001{number}")


def test_id_numbers_are_valid_unique_and_agree_with_the_person():
    generator, households = city(residents=3000)
    numbers = set()
    for household in households:
        district = household.building.code[:6]
        for person in household.members:
            assert validate_resident_id(person.id_number) == person.id_number
            assert person.id_number[:6] == district
            assert birth_date_from_resident_id(person.id_number) == person.birth_date
            assert gender_from_resident_id(person.id_number) == person.gender
            numbers.add(person.id_number)
    assert len(numbers) == 3000


def test_a_full_birth_day_moves_earlier_instead_of_reusing_a_sequence():
    generator = CityGenerator(residents=10, seed=1, as_of=AS_OF)
    birth = datetime.date(1990, 3, 3).toordinal()
    numbers = {generator._resident_id("350102", birth, Gender.FEMALE)[0] for _ in range(600)}
    assert len(numbers) == 600
    assert {birth_date_from_resident_id(n) for n in numbers} == {
        datetime.date(1990, 3, 3),
        datetime.date(1990, 3, 2),
    }


def test_phones_are_valid_adults_mostly_have_one_children_none():
    _generator, households = city(residents=3000)
    people = [p for h in households for p in h.members]
    phones = [p.phone for p in people if p.phone]
    assert all(validate_mobile(phone) == phone for phone in phones)
    assert len(set(phones)) == len(phones)
    adults = [p for p in people if 18 <= age(p.birth_date) < 65]
    assert sum(bool(p.phone) for p in adults) / len(adults) > 0.9
    assert not any(p.phone for p in people if age(p.birth_date) < 14)


def test_tags_follow_age_gender_and_household():
    _generator, households = city(residents=20_000)
    people = Counter()
    for household in households:
        for person in household.members:
            years = age(person.birth_date)
            assert person.is_infant == (years < 3)
            if person.is_pregnant:
                assert person.gender == Gender.FEMALE and 20 <= years <= 40
            if person.lives_alone:
                assert len(household.members) == 1 and years >= 65
            people["all"] += 1
            people["elderly"] += years >= 65
            people["elderly alone"] += person.lives_alone
            people["disabled"] += person.is_disabled
            people["chronic"] += person.has_chronic_illness
            people["temporary"] += person.residence_status == "temporary"
            people["away"] += person.residence_status == "away"
    share = {key: n / people["all"] for key, n in people.items()}
    assert 0.12 < share["elderly"] < 0.17
    assert 0.04 < people["elderly alone"] / people["elderly"] < 0.12
    assert 0.04 < share["disabled"] < 0.08
    assert 0.06 < share["chronic"] < 0.10
    assert 0.07 < share["temporary"] < 0.13
    assert 0.015 < share["away"] < 0.045


@pytest.mark.parametrize("residents", [50_000, 1_000_000])
def test_grids_and_buildings_have_realistic_sizes(residents):
    plan = plan_city(residents, random.Random(3))
    grids = plan.at_level(Level.GRID)
    for grid in grids:
        households = sum(b.households for b in grid.children)
        assert GRID_HOUSEHOLDS[0] <= households <= GRID_HOUSEHOLDS[1]
        assert all(
            BUILDING_HOUSEHOLDS[0] <= b.households <= BUILDING_HOUSEHOLDS[1] for b in grid.children
        )
    assert sum(b.households for b in plan.at_level(Level.BUILDING)) == len(plan.household_sizes)
    for community in plan.at_level(Level.COMMUNITY):
        assert 1 <= len(community.children) <= 8
    for street in plan.at_level(Level.STREET):
        assert 1 <= len(street.children) <= 10
    codes = [node.code for node in plan.walk()]
    assert len(codes) == len(set(codes)) and codes == sorted(codes)


def test_bigger_cities_open_more_districts():
    small = plan_city(2000, random.Random(1))
    big = plan_city(1_000_000, random.Random(1))
    assert [d.code for d in small.districts] == ["350102"]
    assert len(big.districts) == len(DISTRICTS)
