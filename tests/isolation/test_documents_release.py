"""The release certificate: only for a released order, saying who was isolated how, from when
to when, released when and by which region, with a code a checkpoint verifies offline."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from fangyi.codes import format as fmt
from fangyi.codes import keys
from fangyi.codes import services as codes
from fangyi.codes.models import CardCode, RevokedCode
from fangyi.core.models import AccessEvent
from fangyi.isolation.documents import services
from fangyi.isolation.models import OrderState

from . import documents_support as support
from .documents_support import read, verified


def test_the_release_certificate_of_a_released_order(city, officer):
    order = support.order(city.person_b, state=OrderState.RELEASED, kind="home", term_days=14)
    printed = services.print_release(actor=officer, order=order)

    (text,), (code,) = read(printed.pdf)
    start = timezone.localtime(order.started_at).date()
    released = timezone.localtime(order.ended_at)
    for expected in (
        "解除隔离证明",
        "李*英",
        city.person_b.id_number[-4:],
        "居家隔离",
        f"{start:%Y-%m-%d} — {released:%Y-%m-%d}",
        f"{released:%Y-%m-%d %H:%M}",
        "鼓楼区 东街街道",
    ):
        assert expected in text, expected
    assert city.person_b.name not in text

    claims = verified(code)
    assert claims["kind"] == "release"
    assert (claims["name"], claims["order_kind"]) == ("李*英", "home")
    assert (claims["start"], claims["end"]) == (start.isoformat(), released.date().isoformat())
    assert claims["released_at"] == int(order.ended_at.timestamp()) == claims["iat"]
    assert claims["region"] == "鼓楼区 东街街道"
    assert claims["exp"] - claims["iat"] == 30 * 86_400


@override_settings(FANGYI_RELEASE_CODE_DAYS=7)
def test_the_code_lives_the_configured_days_after_the_release(city, officer):
    order = support.order(city.person_b, state=OrderState.RELEASED)
    order.ended_at = timezone.now() - datetime.timedelta(days=8)
    order.save()
    (code,) = services.print_release(actor=officer, order=order).codes
    found = fmt.verify(code, keys.verification_keys())
    assert found.result is fmt.Result.EXPIRED


@pytest.mark.parametrize(
    "state",
    [
        OrderState.TO_PLACE,
        OrderState.IN_TRANSFER,
        OrderState.ACTIVE,
        OrderState.EXTENDED,
        OrderState.HOSPITAL,
        OrderState.CANCELLED,
    ],
)
def test_only_a_released_order_has_a_release_certificate(city, officer, state):
    order = support.order(city.person_a, state=state)
    with pytest.raises(ValidationError) as refused:
        services.print_release(actor=officer, order=order)
    assert refused.value.message_dict["order"] == [
        "只有已解除的隔离令才能打印解除隔离证明；尚未解除：王*明。"
    ]
    assert not AccessEvent.objects.exists()


def test_a_reprint_is_the_same_certificate_and_audited_again(city, leader_a, officer):
    order = support.order(city.person_a, state=OrderState.RELEASED)
    first = services.print_release(actor=leader_a, order=order)
    second = services.print_release(actor=officer, order=order)
    assert first.codes == second.codes
    assert read(first.pdf)[0] == read(second.pdf)[0]
    assert list(
        AccessEvent.objects.filter(object_id=str(order.pk))
        .order_by("time")
        .values_list("actor_name", "reason")
    ) == [("leader_a", "打印解除隔离证明"), ("officer", "打印解除隔离证明")]


def test_revoking_the_persons_codes_revokes_their_printed_documents(city, officer):
    order = support.order(city.person_a, state=OrderState.RELEASED)
    (code,) = services.print_release(actor=officer, order=order).codes
    services.print_release(actor=officer, order=order)
    assert CardCode.objects.filter(person=city.person_a, kind="release").count() == 1

    assert codes.revoke_codes(user=officer, person=city.person_a, reason="证明遗失") == 1
    assert codes.verify_here(code).result is fmt.Result.REVOKED
    assert RevokedCode.objects.filter(person=city.person_a, kind="release").count() == 1
    # The person has a new pseudonym: printed again, it is a new certificate that holds.
    (reprinted,) = services.print_release(actor=officer, order=order).codes
    assert reprinted != code and codes.verify_here(reprinted).valid


def test_outside_the_region_no_certificate(city, worker_b):
    order = support.order(city.person_a, state=OrderState.RELEASED)
    with pytest.raises(PermissionDenied):
        services.print_release(actor=worker_b, order=order)
    assert not AccessEvent.objects.exists()
