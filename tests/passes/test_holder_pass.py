"""What the holder's phone shows: a pass signed now with their colour and last negative test
(a colour change or a new test shows at the next refresh), under the plan's window; none while
suspended or outside its dates; and the passes alive join the revocation list when the pass is
suspended, revoked or changed."""

import datetime

import pytest
from django.utils import timezone

from fangyi.codes import format as fmt
from fangyi.codes import keys
from fangyi.codes.services import revoke_codes, revoked_hashes, verify_here
from fangyi.health import services as health
from fangyi.health.models import Policy
from fangyi.passes import services
from tests.passes.support import sampled, whitelist
from tests.support import ago

pytestmark = pytest.mark.django_db


def shown(person):
    found = services.holder_pass(person)
    assert found.code is not None, found.problem
    checked = verify_here(found.code.text)
    assert checked.valid, checked
    return found, checked.claims


def test_the_pass_carries_the_colour_the_last_negative_test_and_the_window(officer, city):
    supply_pass = whitelist(officer, city)
    person = supply_pass.person
    sampled(officer, person, ago(hours=30))
    last = sampled(officer, person, ago(hours=5))
    found, claims = shown(person)
    assert claims["colour"] == "green"
    assert claims["tested_at"] == int(last.occurred_at.timestamp())
    assert claims["test_hours"] == 48
    assert claims["areas"] == [city.street.path]
    assert claims["area_names"] == city.street.name
    assert claims["plate"] == "闽A12345"
    assert claims["valid_until"] == supply_pass.valid_until.isoformat()
    assert claims["exp"] - claims["iat"] <= 300
    assert found.refusal == ""


def test_a_retracted_test_does_not_count(officer, city):
    person = whitelist(officer, city).person
    older = sampled(officer, person, ago(hours=50))
    newer = sampled(officer, person, ago(hours=2))
    health.retract_fact(actor=officer, fact=newer, reason="录入错误")
    found, claims = shown(person)
    assert claims["tested_at"] == int(older.occurred_at.timestamp())
    assert found.refusal == fmt.TEST_TOO_OLD


def test_no_negative_test_is_carried_as_zero(officer, city):
    found, claims = shown(whitelist(officer, city).person)
    assert claims["tested_at"] == 0
    assert found.refusal == fmt.TEST_TOO_OLD


def test_a_colour_change_shows_in_the_next_pass(officer, city):
    person = whitelist(officer, city).person
    sampled(officer, person, ago(hours=5))
    assert shown(person)[1]["colour"] == "green"
    health.record_fact(
        actor=officer,
        source="manual",
        person=person,
        kind="fever_clinic_visit",
        occurred_at=ago(minutes=5),
    )
    found, claims = shown(person)
    assert claims["colour"] != "green"
    assert found.refusal == fmt.NOT_GREEN


def test_the_window_is_the_plan_s_when_it_names_one(officer, city):
    person = whitelist(officer, city).person
    sampled(officer, person, ago(hours=30))
    assert shown(person)[0].refusal == ""
    plan = Policy.objects.get(in_force=True)
    plan.parameters = plan.parameters | {"passes": {"test_window_hours": 24}}
    plan.save()
    found, claims = shown(person)
    assert claims["test_hours"] == 24
    assert found.refusal == fmt.TEST_TOO_OLD


def test_no_pass_is_shown_when_suspended_or_outside_its_dates(officer, city):
    assert services.holder_pass(city.person_b).problem == services.NO_PASS
    supply_pass = whitelist(officer, city)
    services.suspend_pass(actor=officer, supply_pass=supply_pass, reason="投诉")
    assert services.holder_pass(supply_pass.person).problem == services.SUSPENDED
    services.resume_pass(actor=officer, supply_pass=supply_pass)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    services.update_pass(actor=officer, supply_pass=supply_pass, changes={"valid_from": tomorrow})
    assert services.holder_pass(supply_pass.person).problem == services.NOT_YET


def test_the_pass_expires_no_later_than_the_end_of_its_last_day(officer, city, settings):
    settings.FANGYI_PASS_CODE_SECONDS = 10 * 86_400
    today = timezone.localdate()
    person = whitelist(officer, city, valid_until=today).person
    _found, claims = shown(person)
    end = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    assert claims["exp"] == int((end + datetime.timedelta(days=1)).timestamp())


@pytest.mark.parametrize("action", ["suspend", "revoke", "edit"])
def test_the_passes_alive_join_the_revocation_list(officer, city, action):
    supply_pass = whitelist(officer, city)
    found = services.holder_pass(supply_pass.person)
    before = fmt.verify(found.code.text, keys.verification_keys())
    assert before.revocation_hash not in {fmt.b64url(h) for h in revoked_hashes()}
    if action == "suspend":
        services.suspend_pass(actor=officer, supply_pass=supply_pass, reason="同事阳性")
    elif action == "revoke":
        services.revoke_pass(actor=officer, supply_pass=supply_pass, reason="离职")
    else:
        services.update_pass(actor=officer, supply_pass=supply_pass, changes={"plate": "闽B11111"})
    assert verify_here(found.code.text).result is fmt.Result.REVOKED
    if action == "suspend":
        services.resume_pass(actor=officer, supply_pass=supply_pass)
    if action != "revoke":
        # Within the same minute the pass issued again differs from the revoked one.
        again = services.holder_pass(supply_pass.person).code
        assert again.text != found.code.text
        assert verify_here(again.text).valid


def test_revoking_a_person_s_codes_revokes_their_passes_too(officer, city):
    person = whitelist(officer, city).person
    found = services.holder_pass(person)
    revoke_codes(user=officer, person=person, reason="手机丢失，截图外传")
    assert verify_here(found.code.text).result is fmt.Result.REVOKED
    assert verify_here(services.holder_pass(person).code.text).valid
