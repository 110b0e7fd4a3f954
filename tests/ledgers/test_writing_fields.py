import pytest
from django.core.exceptions import FieldDoesNotExist

from fangyi.ledgers.writing import column_of, max_length, own_field
from fangyi.people.models import Household, Person


def test_own_field_and_column_name_what_hand_written_sql_writes():
    assert own_field(Person, "household") is Person._meta.get_field("household")
    assert column_of(Person, "household") == "household_id"
    assert max_length(Person, "name") == Person._meta.get_field("name").max_length


def test_a_reverse_relation_is_no_column_of_the_table():
    with pytest.raises(FieldDoesNotExist):
        own_field(Household, "members")


def test_a_field_without_a_length_has_no_max_length():
    with pytest.raises(FieldDoesNotExist):
        max_length(Person, "household")
