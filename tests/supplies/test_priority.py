import pytest

from fangyi.supplies import services
from tests.factories import PersonFactory
from tests.support import client_for, signed_in

from .support import medicine_draft, package_request, vegetables

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("tag", "slug"),
    [
        ("on_dialysis", "dialysis"),
        ("is_pregnant", "pregnant"),
        ("is_infant", "infant"),
        ("is_bedridden", "bedridden"),
    ],
)
def test_a_household_with_a_priority_member_is_marked(city, worker_a, tag, slug):
    PersonFactory(household=city.household_a, **{tag: True})
    made = services.submit(actor=worker_a, household=city.household_a, draft=medicine_draft())
    assert made.priority and made.priority_tags == [slug]


def test_other_needs_do_not_make_a_priority(city, worker_a):
    PersonFactory(household=city.household_a, lives_alone=True, has_chronic_illness=True)
    made = services.submit(actor=worker_a, household=city.household_a, draft=medicine_draft())
    assert not made.priority and made.priority_tags == []


def test_priority_heads_the_board_page_and_api_then_the_oldest(city, officer, worker_a):
    item = vegetables(officer, city.community)
    first = package_request(worker_a, city.household_a, item)
    PersonFactory(household=city.household_b, on_dialysis=True)
    worker_b_side = package_request(officer, city.household_b, item)
    body = client_for(officer).get("/api/v1/supplies/requests?order=board").json()
    assert [row["id"] for row in body["items"]] == [str(worker_b_side.pk), str(first.pk)]
    assert body["items"][0]["priority"] is True
    page = signed_in(officer).get("/supplies/").content.decode()
    assert page.index(f"request-{worker_b_side.pk}") < page.index(f"request-{first.pk}")
    assert "supplies-priority" in page
