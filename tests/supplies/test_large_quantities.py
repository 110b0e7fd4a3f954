import pytest
from django.core.exceptions import ValidationError

from fangyi.supplies import services

from .support import package_request, vegetables

pytestmark = pytest.mark.django_db


def test_a_quantity_above_the_items_usual_maximum_is_refused_until_confirmed(
    city, officer, worker_a
):
    item = vegetables(officer, city.community, usual_max=3)
    package_request(worker_a, city.household_a, item, quantity=3)
    with pytest.raises(ValidationError) as refused:
        package_request(worker_a, city.household_a, item, quantity=30)
    assert "confirmed" in refused.value.error_dict
    assert "蔬菜包 × 30" in str(refused.value)
    made = package_request(worker_a, city.household_a, item, quantity=30, confirmed=True)
    assert made.quantity_confirmed


def test_free_text_lines_ask_for_confirmation_above_ten(city, worker_a):
    def ask(quantity, confirmed=False):
        draft = services.Draft(
            kind="goods",
            items=[services.ItemInput(quantity=quantity, name="纸尿裤", unit="包")],
            confirmed=confirmed,
        )
        return services.submit(actor=worker_a, household=city.household_a, draft=draft)

    assert not ask(services.FREE_TEXT_USUAL_MAX).quantity_confirmed
    with pytest.raises(ValidationError):
        ask(services.FREE_TEXT_USUAL_MAX + 1)
    assert ask(services.FREE_TEXT_USUAL_MAX + 1, confirmed=True).quantity_confirmed


def test_a_confirmation_without_a_large_quantity_is_not_recorded(city, officer, worker_a):
    item = vegetables(officer, city.community)
    made = package_request(worker_a, city.household_a, item, quantity=1, confirmed=True)
    assert not made.quantity_confirmed


def test_items_outside_the_households_catalogue_and_inactive_ones_are_refused(
    city, officer, worker_a
):
    other_grid = vegetables(officer, city.grid_b, name="二网格蔬菜包")
    with pytest.raises(ValidationError) as refused:
        package_request(worker_a, city.household_a, other_grid)
    assert "items.0.catalogue_item" in refused.value.error_dict
    item = vegetables(officer, city.community)
    services.update_item(actor=officer, item=item, active=False)
    with pytest.raises(ValidationError):
        package_request(worker_a, city.household_a, item)
