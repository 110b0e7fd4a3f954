"""Registering, confirming, applying, returning with a reason, applying again, approving:
each step an event and an audit row; the account never decides."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.enterprises import services
from fangyi.enterprises.models import Event, Standing
from tests.enterprises.support import credit_code, enterprise_with_account


def wrong_check_character(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def commitments() -> list[str]:
    return [c.code for c in services.active_commitments()]


def test_a_wrong_credit_code_is_refused(city, officer):
    with pytest.raises(ValidationError) as error:
        services.register_enterprise(
            actor=officer,
            region=city.street,
            name="某厂",
            credit_code=wrong_check_character(credit_code(7)),
            contact_name="陈经理",
            contact_phone="13905910001",
        )
    assert "credit_code" in error.value.message_dict


def test_returned_then_reapplied_then_approved(city, officer):
    enterprise, account = enterprise_with_account(officer, city.street)
    first = services.apply_to_reopen(
        actor=account, enterprise=enterprise, commitments=commitments(), staff_count=40
    )
    with pytest.raises(PermissionDenied):
        services.approve(actor=account, application=first)
    services.return_application(actor=officer, application=first, reason="缺少留观室")
    enterprise.refresh_from_db()
    assert enterprise.standing == Standing.RETURNED
    second = services.apply_to_reopen(
        actor=account, enterprise=enterprise, commitments=commitments(), staff_count=42
    )
    services.approve(actor=officer, application=second)
    enterprise.refresh_from_db()

    assert enterprise.standing == Standing.REOPENED
    assert enterprise.staff_count == 42
    kinds = list(enterprise.events.values_list("kind", flat=True))
    assert kinds == [
        Event.Kind.REGISTERED,
        Event.Kind.ACCOUNT,
        Event.Kind.APPLIED,
        Event.Kind.RETURNED,
        Event.Kind.APPLIED,
        Event.Kind.APPROVED,
    ]
    assert ObjectChange.objects.filter(object_id=str(second.pk)).count() == 2


def test_every_commitment_must_be_ticked(city, officer):
    enterprise, account = enterprise_with_account(officer, city.street)
    with pytest.raises(ValidationError) as error:
        services.apply_to_reopen(
            actor=account, enterprise=enterprise, commitments=commitments()[1:], staff_count=5
        )
    assert "commitments" in error.value.message_dict


def test_a_self_registered_enterprise_waits_for_an_officer(city, officer):
    enterprise = services.self_register(
        region=city.grid_a,
        name="自行登记厂",
        credit_code=credit_code(9),
        contact_name="林厂长",
        contact_phone="13905910002",
    )
    with pytest.raises(ValidationError):
        services.apply_to_reopen(
            actor=officer, enterprise=enterprise, commitments=commitments(), staff_count=3
        )
    services.confirm_registration(actor=officer, enterprise=enterprise)
    application = services.apply_to_reopen(
        actor=officer, enterprise=enterprise, commitments=commitments(), staff_count=3
    )
    assert application.state == "pending"


def test_the_public_form_is_rate_limited(client, city, settings):
    settings.FANGYI_RATE_LIMITS = {**settings.FANGYI_RATE_LIMITS, "public-address": (2, 60)}
    statuses = [client.get("/enterprises/register/").status_code for _ in range(3)]
    assert statuses[:2] == [200, 200]
    assert statuses[2] == 429
