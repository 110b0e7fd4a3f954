"""Codes issued by the server carry the person's current colour and a pseudonym, pass the
independent verifier, and are recorded so that they can be revoked."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from fangyi.codes import keys, services, verify
from fangyi.codes.models import CardCode, CodeSubject, RevokedCode
from fangyi.core.models import AccessEvent
from fangyi.health.models import Colour, FactKind
from fangyi.health.models import TestOutcome as Outcome
from fangyi.health.services import current_status, record_fact

from .independent import open_code, revocation_hash

pytestmark = pytest.mark.django_db


def make_red(city, officer):
    from django.utils import timezone

    record_fact(
        actor=officer,
        source="manual",
        person=city.person_a,
        kind=FactKind.TEST_RESULT,
        occurred_at=timezone.now(),
        outcome=Outcome.POSITIVE,
        variant="single",
    )


def test_a_display_code_shows_the_current_colour(city, officer):
    issued = services.issue_display_code(person_id=city.person_a.pk)
    assert issued.colour == Colour.GREEN
    claims = open_code(issued.text, keys.current_key().public_key)
    assert claims[-65537] == {
        1: "green",
        2: "王*明",
        3: city.person_a.id_number[-4:],
        4: current_status(city.person_a).policy_version,
        5: "display",
    }
    sub = CodeSubject.objects.get(person=city.person_a).sub
    assert claims[2] == sub and city.person_a.id_number not in issued.text
    assert claims[4] - claims[6] == 300
    make_red(city, officer)
    assert services.issue_display_code(person_id=city.person_a.pk).colour == Colour.RED


def test_the_pseudonym_is_stable_and_differs_between_people(city):
    first = verify(services.issue_display_code(person_id=city.person_a.pk).text, keys.jwks())
    again = verify(services.issue_display_code(person_id=city.person_a.pk).text, keys.jwks())
    other = verify(services.issue_display_code(person_id=city.person_b.pk).text, keys.jwks())
    assert first.claims["sub"] == again.claims["sub"] != other.claims["sub"]


def test_showing_a_code_writes_nothing(city, django_assert_num_queries):
    services.issue_display_code(person_id=city.person_a.pk)
    with django_assert_num_queries(1):
        issued = services.issue_display_code(person_id=city.person_a.pk)
    assert int(issued.issued_at.timestamp()) % services.DISPLAY_SLOT_SECONDS == 0
    assert not CardCode.objects.exists() and not RevokedCode.objects.exists()


def test_the_same_slot_gives_the_same_code(city):
    first = services.issue_display_code(person_id=city.person_a.pk)
    again = services.issue_display_code(person_id=city.person_a.pk)
    if first.issued_at == again.issued_at:
        assert first.text == again.text


def test_a_card_has_no_colour_lives_thirty_days_and_is_logged(city, worker_a):
    issued = services.issue_card_code(user=worker_a, person=city.person_a)
    claims = open_code(issued.text, keys.current_key().public_key)
    assert 1 not in claims[-65537] and claims[-65537][5] == "card"
    assert claims[4] - claims[6] == 30 * 86400
    assert AccessEvent.objects.filter(kind=AccessEvent.CARD, object_id=str(city.person_a.pk))


def test_a_worker_cannot_print_a_card_for_another_grid(city, worker_a):
    with pytest.raises(PermissionDenied):
        services.issue_card_code(user=worker_a, person=city.person_b)


def test_revoking_puts_every_live_code_on_the_list(city, worker_a, officer):
    display = services.issue_display_code(person_id=city.person_a.pk)
    card = services.issue_card_code(user=worker_a, person=city.person_a)
    other = services.issue_display_code(person_id=city.person_b.pk)
    old_sub = CodeSubject.objects.get(person=city.person_a).sub
    assert services.revoke_codes(user=officer, person=city.person_a, reason="卡片遗失") == 1
    revoked = services.revoked_hashes()
    assert revocation_hash(display.text) in revoked
    assert revocation_hash(card.text) in revoked
    assert revocation_hash(other.text) not in revoked
    assert services.verify_here(card.text).result == "revoked"
    assert services.verify_here(display.text).result == "revoked"
    assert CardCode.objects.get().revoked_at is not None
    fresh = services.issue_display_code(person_id=city.person_a.pk)
    assert services.verify_here(fresh.text).valid
    assert verify(fresh.text, keys.jwks()).claims["sub"] != old_sub


def test_revoking_covers_every_colour_and_the_codes_of_the_last_five_minutes(city, officer):
    import datetime

    from django.utils import timezone

    services.issue_display_code(person_id=city.person_a.pk)
    services.revoke_codes(user=officer, person=city.person_a, reason="截图外传")
    entries = RevokedCode.objects.filter(kind=RevokedCode.DISPLAY)
    latest = timezone.now() + datetime.timedelta(seconds=300)
    assert all(entry.expires_at <= latest for entry in entries)
    # 30 or 31 live slots × 4 colours × every plan label, for the one key.
    from fangyi.health.models import Policy

    assert entries.count() in {n * 4 * Policy.objects.count() for n in (30, 31)}


def test_revoking_needs_a_reason_and_the_right(city, worker_a, officer):
    with pytest.raises(ValidationError):
        services.revoke_codes(user=officer, person=city.person_a, reason=" ")
    with pytest.raises(PermissionDenied):
        services.revoke_codes(user=worker_a, person=city.person_a, reason="截图外传")


def test_a_card_lookup_answers_the_current_colour(city, worker_a, officer):
    from tests.factories import staff

    guard = staff("checkpoint", city.community, username="guard")
    card = services.issue_card_code(user=worker_a, person=city.person_a)
    found = services.lookup_card(user=guard, text=card.text)
    assert found.verification.valid and found.colour == Colour.GREEN
    make_red(city, officer)
    assert services.lookup_card(user=guard, text=card.text).colour == Colour.RED
    assert AccessEvent.objects.filter(kind=AccessEvent.LOOKUP).count() == 2
    display = services.issue_display_code(person_id=city.person_a.pk)
    assert services.lookup_card(user=guard, text=display.text).colour is None
    with pytest.raises(PermissionDenied):
        services.lookup_card(user=city_volunteer(city), text=card.text)


def city_volunteer(city):
    from tests.factories import staff

    return staff("volunteer", city.grid_a, username="helper")


def test_verify_command_prints_json_and_fails_for_invalid_codes(city, capsys):
    issued = services.issue_display_code(person_id=city.person_a.pk)
    call_command("codes", "verify", issued.text)
    assert '"result": "valid"' in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("codes", "verify", issued.text[:-4])
    assert '"result": "malformed"' in capsys.readouterr().out


def test_purge_forgets_entries_of_long_expired_codes(city, worker_a, officer):
    import datetime

    from django.utils import timezone

    services.issue_card_code(user=worker_a, person=city.person_a)
    services.issue_display_code(person_id=city.person_a.pk)
    services.revoke_codes(user=officer, person=city.person_a, reason="卡片遗失")
    assert services.purge_expired() == 0
    RevokedCode.objects.filter(kind=RevokedCode.DISPLAY).update(
        expires_at=timezone.now() - datetime.timedelta(days=2)
    )
    purged = services.purge_expired()
    assert purged > 0
    assert list(RevokedCode.objects.values_list("kind", flat=True)) == ["card"]
