"""Room allocation as a function: households together where a room fits them, never more
people in a room than its free beds, refused when the beds are short."""

import uuid
from collections import Counter
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from fangyi.isolation.services import allocate


def orders_of(sizes: list[int]) -> list:
    orders = []
    for size in sizes:
        household = uuid.uuid4()
        orders += [SimpleNamespace(pk=uuid.uuid4(), household_id=household) for _ in range(size)]
    return orders


def rooms_of(beds: list[int]) -> tuple[dict, dict]:
    ids = [uuid.uuid4() for _ in beds]
    return dict(zip(ids, beds, strict=True)), {pk: index for index, pk in enumerate(ids)}


def test_the_tightest_room_that_fits_the_household_is_chosen():
    orders = orders_of([2])
    free, numbers = rooms_of([4, 2, 3])
    placed = allocate(orders, free, numbers)
    assert {free[room] for room in placed.values()} == {2}


@given(
    sizes=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=8),
    beds=st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=12),
)
def test_allocation_respects_beds_and_keeps_the_largest_household_together(sizes, beds):
    orders = orders_of(sizes)
    free, numbers = rooms_of(beds)
    if len(orders) > sum(beds):
        with pytest.raises(ValidationError):
            allocate(orders, free, numbers)
        return
    placed = allocate(orders, free, numbers)
    assert set(placed) == {order.pk for order in orders}
    for room, people in Counter(placed.values()).items():
        assert people <= free[room]
    # Households are placed largest first: a largest one that fits a room is kept together.
    rooms_of_household: dict = {}
    for order in orders:
        rooms_of_household.setdefault(order.household_id, set()).add(placed[order.pk])
    largest = max(sizes)
    if largest <= max(beds):
        sizes_by_household = Counter(order.household_id for order in orders)
        assert any(
            len(rooms_of_household[household]) == 1
            for household, size in sizes_by_household.items()
            if size == largest
        )
