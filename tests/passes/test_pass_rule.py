"""The pass rule at every boundary, as a checkpoint applies it offline to a pass whose
signature checked out: green, a negative test no older than the window, within its areas; and
a pass that is expired, revoked, forged or altered is refused before the rule is asked."""

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from fangyi.codes import format as fmt
from tests.codes.document_support import repacked
from tests.passes.support import GRID, HOUR, NOW, OTHER_STREET, STREET, courier

KEY = ec.generate_private_key(ec.SECP256R1())
STRANGER = ec.generate_private_key(ec.SECP256R1())
KEYS = [KEY.public_key()]


def checked(claims, now=NOW, revoked=()):
    return fmt.verify(fmt.sign(claims, KEY).text, KEYS, revoked, now=now)


def test_a_green_recently_tested_pass_verifies_and_says_what_it_allows():
    found = checked(courier())
    assert found.result is fmt.Result.VALID
    assert found.claims == {
        "iss": "fangyi-test",
        "sub": "k3Jd8sQ1mZpX0aLw",
        "exp": NOW + 240,
        "iat": NOW - 60,
        "kind": "pass",
        "colour": "green",
        "name": "张*三",
        "id_tail": "002X",
        "policy": "2022-06-9th.v1",
        "organisation": "闽运快递",
        "plate": "闽A12345",
        "areas": [STREET],
        "area_names": "东街街道",
        "valid_until": "2027-01-31",
        "tested_at": NOW - 10 * HOUR,
        "test_hours": 48,
    }
    assert fmt.pass_refusal(found.claims, NOW, GRID) == ""


@pytest.mark.parametrize("colour", ["yellow", "orange", "red"])
def test_a_pass_issued_while_not_green_is_refused(colour):
    found = checked(courier(colour=colour))
    assert found.valid
    assert fmt.pass_refusal(found.claims, NOW, GRID) == fmt.NOT_GREEN


@pytest.mark.parametrize(
    ("age", "refusal"),
    [
        (47 * HOUR, ""),
        (48 * HOUR - 1, ""),
        (48 * HOUR, ""),
        (48 * HOUR + 1, fmt.TEST_TOO_OLD),
        (72 * HOUR, fmt.TEST_TOO_OLD),
    ],
)
def test_the_test_counts_until_exactly_the_window_and_not_a_second_longer(age, refusal):
    claims = checked(courier(tested_at=NOW - age)).claims
    assert fmt.pass_refusal(claims, NOW, GRID) == refusal


def test_the_window_is_the_one_the_pass_carries():
    claims = checked(courier(tested_at=NOW - 30 * HOUR, test_hours=24)).claims
    assert fmt.pass_refusal(claims, NOW, GRID) == fmt.TEST_TOO_OLD
    assert fmt.pass_refusal(claims, NOW - 6 * HOUR, GRID) == ""


def test_a_pass_without_any_negative_test_is_refused():
    claims = checked(courier(tested_at=0)).claims
    assert fmt.pass_refusal(claims, NOW, GRID) == fmt.TEST_TOO_OLD


def test_not_green_is_said_before_an_old_test():
    claims = checked(courier(colour="yellow", tested_at=NOW - 100 * HOUR)).claims
    assert fmt.pass_refusal(claims, NOW, GRID) == fmt.NOT_GREEN


@pytest.mark.parametrize(
    ("path", "refusal"),
    [
        (STREET, ""),
        (GRID, ""),
        (OTHER_STREET, fmt.OUTSIDE_AREAS),
        # The district above the street is not within it.
        ("350102", fmt.OUTSIDE_AREAS),
        (None, ""),
    ],
)
def test_a_checkpoint_outside_the_areas_refuses_and_one_naming_none_does_not_check(path, refusal):
    claims = checked(courier()).claims
    assert fmt.pass_refusal(claims, NOW, path) == refusal


def test_any_of_several_areas_will_do():
    claims = checked(courier(areas=[OTHER_STREET, GRID], area_names="西街街道、第一网格")).claims
    assert fmt.pass_refusal(claims, NOW, GRID + "001") == ""
    assert fmt.pass_refusal(claims, NOW, STREET) == fmt.OUTSIDE_AREAS


def test_the_pass_expires_at_its_exp():
    assert checked(courier(), now=NOW + 239).result is fmt.Result.VALID
    assert checked(courier(), now=NOW + 240).result is fmt.Result.EXPIRED


def test_a_revoked_pass_is_refused():
    signed = fmt.sign(courier(), KEY)
    found = fmt.verify(signed.text, KEYS, [signed.revocation_hash], now=NOW)
    assert found.result is fmt.Result.REVOKED


def test_an_altered_pass_does_not_verify():
    good = fmt.sign(courier(colour="yellow"), KEY).text
    for changes in (
        {fmt.COLOUR: "green"},
        {fmt.TESTED_AT: NOW - HOUR},
        {fmt.AREAS: ["35"]},
        {fmt.TEST_HOURS: 480},
    ):
        forged = repacked(good, courier(changes))
        assert fmt.verify(forged, KEYS, now=NOW).result is fmt.Result.BAD_SIGNATURE


def test_a_pass_signed_by_a_stranger_is_refused():
    text = fmt.sign(courier(), STRANGER).text
    assert fmt.verify(text, KEYS, now=NOW).result is fmt.Result.UNKNOWN_KEY


@pytest.mark.parametrize(
    "changes",
    [
        {fmt.COLOUR: None},
        {fmt.COLOUR: "blue"},
        {fmt.TESTED_AT: "yesterday"},
        {fmt.TESTED_AT: 1.5},
        {fmt.TEST_HOURS: None},
        {fmt.AREAS: STREET},
        {fmt.AREAS: [35]},
        {fmt.ORGANISATION: None},
        {fmt.PLATE: 12345},
        {fmt.PASS_UNTIL: None},
    ],
)
def test_a_pass_breaking_the_format_is_malformed(changes):
    assert checked(courier(changes)).result is fmt.Result.MALFORMED


def test_the_longest_pass_fits_in_a_code():
    claims = courier(
        organisation="某" * 30,
        plate="闽AD12345",
        areas=["350102001001001"] * 5,
        area_names="某" * 60,
    )
    assert len(fmt.sign(claims, KEY).text.encode()) <= fmt.MAX_TEXT_BYTES
