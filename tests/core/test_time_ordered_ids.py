"""Ids made in bulk are UUIDv7s, increasing, and unique across runs."""

import uuid

from fangyi.core.bulk import time_ordered_ids


def test_a_run_of_ids_is_increasing_uuid7():
    ids = time_ordered_ids(10_000)

    parsed = [uuid.UUID(value) for value in ids]
    assert all(value.version == 7 and value.variant == uuid.RFC_4122 for value in parsed)
    assert [str(value) for value in parsed] == ids  # canonical: lower case, dashed
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert [value.int for value in parsed] == sorted(value.int for value in parsed)


def test_two_runs_do_not_collide():
    first, second = time_ordered_ids(1000), time_ordered_ids(1000)

    assert not set(first) & set(second)
