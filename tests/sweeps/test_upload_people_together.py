"""An upload's people changes are written together, yet read as one by one: a newcomer found by
two visits of one upload is registered once and then moved; a newcomer's needs tag them."""

import pytest

from fangyi.core.models import ObjectChange
from fangyi.people.models import Person
from fangyi.sweeps.models import Visit
from tests.factories import resident_id
from tests.sweeps.support import start, upload, visit

pytestmark = pytest.mark.django_db


def test_the_same_newcomer_in_two_visits_is_registered_then_moved(city, officer):
    sweep = start(officer, city.community)
    number = resident_id()
    found = {"newcomers": [{"name": "赵新来", "id_number": number, "phone": ""}]}
    first, second = visit(city.household_a, answers=found), visit(city.household_b, answers=found)
    upload(officer, sweep, first, second)
    person = Person.objects.get(id_number=number)
    assert person.household == city.household_b
    assert Visit.objects.get(pk=first.id).effects["created"] == [str(person.pk)]
    assert Visit.objects.get(pk=second.id).effects["moved"] == [str(person.pk)]
    actions = ObjectChange.objects.filter(object_id=str(person.pk)).values_list("action", flat=True)
    assert sorted(actions) == ["create", "update"]


def test_a_newcomers_needs_are_their_tags(city, officer):
    sweep = start(officer, city.grid_a)
    number = resident_id()
    answers = {
        "newcomers": [{"name": "赵新来", "id_number": number, "phone": ""}],
        "needs": [{"who": "new:0", "tags": ["bedridden"]}],
    }
    upload(officer, sweep, visit(city.household_a, answers=answers))
    person = Person.objects.get(id_number=number)
    assert person.is_bedridden and person.household == city.household_a
