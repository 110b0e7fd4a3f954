import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fangyi.core.pagination import InvalidCursor, decode_cursor, encode_cursor, keyset_page
from fangyi.core.paths import next_prefix, under
from fangyi.people.models import Person

from ..factories import HouseholdFactory, PersonFactory


def test_walks_every_row_once(city):
    for room in range(3):
        household = HouseholdFactory(building=city.building_a, room=f"9{room}")
        PersonFactory.create_batch(4, household=household)
    seen, cursor = [], None
    while True:
        rows, cursor = keyset_page(
            Person.objects.all(), ordering=("region_path", "id"), cursor=cursor, size=5
        )
        seen.extend(r.pk for r in rows)
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == Person.objects.count()


@pytest.mark.parametrize("cursor", ["garbage", "W10", encode_cursor([1, 2, 3]), "e30"])
def test_foreign_cursors_are_refused(cursor):
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, 2)


@given(
    st.text(alphabet="0123456789", min_size=1, max_size=17),
    st.text(alphabet="0123456789", max_size=6),
)
@settings(max_examples=300)
def test_prefix_range_matches_startswith(prefix, rest):
    candidate = prefix + rest
    assert prefix <= candidate < next_prefix(prefix)


@given(
    st.text(alphabet="0123456789", min_size=1, max_size=8),
    st.text(alphabet="0123456789", min_size=1, max_size=18),
)
# A community 999's range once reached the next street's own path ("1" for "09").
@example("09", "1")
@example("350102001999", "350102002")
def test_prefix_range_holds_exactly_the_descendants(prefix, other):
    assert (prefix <= other < next_prefix(prefix)) == other.startswith(prefix)


def test_under_is_empty_for_empty_prefix():
    assert not under("path", "")
