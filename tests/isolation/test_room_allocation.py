"""Room allocation as a function: one household to a room (strangers never share one), a
household together where a room fits it, never more people in a room than its beds, refused
when the empty rooms are short."""

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


def test_two_households_never_share_a_room_even_with_beds_to_spare():
    orders = orders_of([1, 1])
    free, numbers = rooms_of([4])
    with pytest.raises(ValidationError) as refused:
        allocate(orders, free, numbers)
    assert "还有 1 人（1 户）无法安置" in str(refused.value)
    assert "共有 1 间空房" in str(refused.value)


def rooms_needed(sizes: list[int], beds: list[int]) -> bool:
    """Whether the greedy rule places every household: largest first, each into the tightest
    empty room that holds it whole, else split over the roomiest."""
    rooms = sorted(beds)
    for size in sorted(sizes, reverse=True):
        while size:
            if not rooms:
                return False
            fitting = [b for b in rooms if b >= size]
            room = min(fitting) if fitting else max(rooms)
            rooms.remove(room)
            size -= min(room, size)
    return True


@given(
    sizes=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=8),
    beds=st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=12),
)
def test_allocation_gives_each_household_rooms_of_its_own(sizes, beds):
    orders = orders_of(sizes)
    free, numbers = rooms_of(beds)
    if not rooms_needed(sizes, beds):
        with pytest.raises(ValidationError):
            allocate(orders, free, numbers)
        return
    placed = allocate(orders, free, numbers)
    assert set(placed) == {order.pk for order in orders}
    households_in: dict = {}
    for order in orders:
        households_in.setdefault(placed[order.pk], set()).add(order.household_id)
    assert all(len(households) == 1 for households in households_in.values())
    for room, people in Counter(placed.values()).items():
        assert people <= free[room]
    # A household that fits a room is kept together.
    rooms_of_household: dict = {}
    for order in orders:
        rooms_of_household.setdefault(order.household_id, set()).add(placed[order.pk])
    sizes_by_household = Counter(order.household_id for order in orders)
    for household, size in sizes_by_household.items():
        if size <= min(beds):
            assert len(rooms_of_household[household]) == 1
