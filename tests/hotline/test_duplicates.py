"""Duplicates: the same caller, or the same building and category, within 24 hours; merging
keeps both texts and callers."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from fangyi.hotline import services
from fangyi.hotline.models import Callback, State
from tests.hotline.support import beijing, take

pytestmark = pytest.mark.django_db

NOON = beijing("2026-12-05 12:00")


def test_the_same_caller_within_a_day_is_suggested(city, hotline):
    caller = services.CallerInput(person=city.person_a)
    first = take(hotline.operator, city.building_a, caller=caller, received_at=NOON)
    old = take(
        hotline.operator,
        city.building_a,
        "testing",
        caller=caller,
        received_at=NOON - datetime.timedelta(hours=25),
    )
    second = take(
        hotline.operator,
        city.street,
        "testing",
        caller=caller,
        received_at=NOON + datetime.timedelta(hours=3),
    )
    assert list(services.duplicate_candidates(second)) == [first]
    assert old not in services.duplicate_candidates(second)


def test_the_same_phone_of_an_anonymous_caller_is_suggested(city, hotline):
    caller = services.CallerInput(name="匿名", phone="13312345678")
    first = take(hotline.operator, city.city, caller=caller, received_at=NOON)
    second = take(hotline.operator, city.city, "passes", caller=caller, received_at=NOON)
    assert list(services.duplicate_candidates(second)) == [first]


def test_the_same_building_and_category_is_suggested_but_not_another_category(city, hotline):
    first = take(hotline.operator, city.building_a, "utilities", received_at=NOON)
    other = take(hotline.operator, city.building_a, "food", received_at=NOON)
    second = take(
        hotline.operator,
        city.building_a,
        "utilities",
        received_at=NOON + datetime.timedelta(hours=1),
    )
    assert list(services.duplicate_candidates(second)) == [first]
    assert other not in services.duplicate_candidates(second)
    elsewhere = take(hotline.operator, city.building_b, "utilities", received_at=NOON)
    assert list(services.duplicate_candidates(elsewhere)) == []


def test_merging_keeps_both_texts_and_callers_and_calls_both_back(city, hotline):
    first = take(
        hotline.operator,
        city.building_a,
        "utilities",
        description="1号楼停水了",
        caller=services.CallerInput(person=city.person_a),
        dispatch=True,
    )
    second = take(
        hotline.operator,
        city.building_a,
        "utilities",
        description="我们楼从早上就没水",
        caller=services.CallerInput(name="赵先生", phone="13600000009"),
    )
    services.merge(actor=hotline.operator, ticket=second, into=first)
    second.refresh_from_db()
    assert second.state == State.MERGED and second.duplicate_of == first
    assert second.description == "我们楼从早上就没水"
    note = first.events.get(kind="merge").note
    assert second.number in note and "我们楼从早上就没水" in note and "赵*生" in note
    services.accept(actor=hotline.street_officer, ticket=first)
    services.resolve(actor=hotline.street_officer, ticket=first, text="已恢复供水")
    called = set(Callback.objects.filter(about=first).values_list("ticket_id", flat=True))
    assert called == {first.pk, second.pk}
    # The ticket closes once both callers are called back.
    for callback in Callback.objects.filter(about=first):
        services.record_callback(actor=hotline.operator, callback=callback, result="satisfied")
    first.refresh_from_db()
    assert first.state == State.CLOSED


def test_a_ticket_is_not_merged_into_itself_or_a_closed_one(city, hotline):
    ticket = take(hotline.operator, city.building_a)
    with pytest.raises(ValidationError):
        services.merge(actor=hotline.operator, ticket=ticket, into=ticket)
    merged = take(hotline.operator, city.building_a)
    services.merge(actor=hotline.operator, ticket=merged, into=ticket)
    with pytest.raises(ValidationError):
        services.merge(
            actor=hotline.operator, ticket=take(hotline.operator, city.building_a), into=merged
        )
