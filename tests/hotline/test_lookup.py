"""The caller lookup while the operator types."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.hotline import services
from tests.hotline.support import take

pytestmark = pytest.mark.django_db


def test_by_phone_prefix_with_household_and_earlier_tickets(city, hotline):
    earlier = take(
        hotline.operator, city.building_a, caller=services.CallerInput(person=city.person_a)
    )
    matches = services.lookup_callers(actor=hotline.operator, phone="1380000")
    assert [match.person for match in matches] == [city.person_a]
    assert matches[0].household == city.household_a
    assert matches[0].earlier == [earlier]


def test_by_the_last_four_of_the_id_number(city, hotline):
    tail = city.person_b.id_number[-4:]
    matches = services.lookup_callers(actor=hotline.operator, id_tail=tail.lower())
    assert city.person_b in [match.person for match in matches]


def test_a_full_number_matches_exactly_and_nothing_outside_the_city(city, hotline):
    matches = services.lookup_callers(actor=hotline.operator, phone=city.person_b.phone)
    assert [match.person for match in matches] == [city.person_b]
    assert services.lookup_callers(actor=hotline.operator, phone="1770") == []


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({}, "phone"),
        ({"phone": "138"}, "phone"),
        ({"phone": "13a00000"}, "phone"),
        ({"id_tail": "12"}, "id_tail"),
        ({"id_tail": "１２３４"}, "id_tail"),
    ],
)
def test_what_is_too_little_to_look_up(city, hotline, arguments, field):
    with pytest.raises(ValidationError) as error:
        services.lookup_callers(actor=hotline.operator, **arguments)
    assert field in error.value.message_dict


def test_only_those_who_take_tickets_in_look_callers_up(city, hotline, volunteer_a):
    with pytest.raises(PermissionDenied):
        services.lookup_callers(actor=volunteer_a, phone="1380")
