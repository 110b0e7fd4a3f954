"""A household's notes are held to the same limit as a person's on every way in: the service
refuses them, so pages and ledgers do too, not only the API's schema."""

import pytest
from django.core.exceptions import ValidationError

from fangyi.people import services
from fangyi.people.models import Household
from fangyi.people.validation import NOTES_MAX_LENGTH

TOO_LONG = "记" * (NOTES_MAX_LENGTH + 1)


def test_a_new_household_with_too_long_notes_is_refused(city, worker_a):
    before = Household.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.create_household(
            actor=worker_a, building=city.building_a, room="901", notes=TOO_LONG
        )

    assert "notes" in refused.value.message_dict
    assert Household.objects.count() == before


def test_notes_up_to_the_limit_are_kept(city, worker_a):
    household = services.create_household(
        actor=worker_a, building=city.building_a, room="902", notes="记" * NOTES_MAX_LENGTH
    )

    assert len(household.notes) == NOTES_MAX_LENGTH


def test_an_update_with_too_long_notes_changes_nothing(city, worker_a):
    household = city.household_a

    with pytest.raises(ValidationError) as refused:
        services.update_household(actor=worker_a, household=household, changes={"notes": TOO_LONG})

    assert "notes" in refused.value.message_dict
    household.refresh_from_db()
    assert household.notes != TOO_LONG
