"""Release certificates and isolation notices as FY1 codes: they verify offline like the
health codes, and a changed, forged, expired, revoked or ill-formed one is refused."""

import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from fangyi.codes import format as fmt
from tests.codes.document_support import NOW, notice, release, repacked

KEY = ec.generate_private_key(ec.SECP256R1())
STRANGER = ec.generate_private_key(ec.SECP256R1())
KEYS = [KEY.public_key()]


def test_a_release_certificate_verifies_and_says_what_it_certifies():
    found = fmt.verify(fmt.sign(release(), KEY).text, KEYS, now=NOW)
    assert found.result is fmt.Result.VALID
    assert found.claims == {
        "iss": "fangyi-test",
        "sub": "k3Jd8sQ1mZpX0aLw",
        "exp": NOW + 30 * 86_400,
        "iat": NOW - 3600,
        "kind": "release",
        "name": "张*三",
        "id_tail": "002X",
        "order_kind": "centralised",
        "start": "2027-01-01",
        "end": "2027-01-08",
        "released_at": NOW - 3600,
        "region": "鼓楼区 东街街道",
    }


def test_an_isolation_notice_verifies_and_says_where_and_until_when():
    found = fmt.verify(fmt.sign(notice(), KEY).text, KEYS, now=NOW)
    assert found.result is fmt.Result.VALID
    assert {key: found.claims[key] for key in ("kind", "order_kind", "start", "end", "place")} == {
        "kind": "notice",
        "order_kind": "home",
        "start": "2027-01-01",
        "end": "2027-01-08",
        "place": "home",
    }
    assert "released_at" not in found.claims and "colour" not in found.claims


def test_signing_the_same_document_again_gives_the_same_code():
    assert fmt.sign(release(), KEY).text == fmt.sign(release(), KEY).text


def test_expired_revoked_and_not_yet_valid_documents_are_refused():
    signed = fmt.sign(release(), KEY)
    assert fmt.verify(signed.text, KEYS, now=NOW + 30 * 86_400).result is fmt.Result.EXPIRED
    revoked = [fmt.b64url(signed.revocation_hash)]
    assert fmt.verify(signed.text, KEYS, revoked, now=NOW).result is fmt.Result.REVOKED
    early = fmt.verify(signed.text, KEYS, now=NOW - 3600 - 61)
    assert early.result is fmt.Result.NOT_YET_VALID


@pytest.mark.parametrize(
    "change",
    [{fmt.END: "2027-01-05"}, {fmt.NAME: "李*四"}, {fmt.KIND: fmt.NOTICE, fmt.PLACE_NAME: "home"}],
)
def test_a_changed_document_no_longer_matches_its_signature(change):
    text = fmt.sign(release(), KEY).text
    found = fmt.verify(repacked(text, release(change)), KEYS, now=NOW)
    assert found.result is fmt.Result.BAD_SIGNATURE
    assert not found.signed


def test_a_document_signed_by_another_key_is_unknown():
    found = fmt.verify(fmt.sign(release(), STRANGER).text, KEYS, now=NOW)
    assert found.result is fmt.Result.UNKNOWN_KEY


@pytest.mark.parametrize(
    "claims",
    [
        release({fmt.COLOUR: "green"}),
        release({fmt.RELEASED_AT: "2027-01-08"}),
        release({fmt.RELEASED_AT: float(NOW)}),
        release({fmt.ISSUER_REGION: None}),
        release({fmt.START: 20270101}),
        release({fmt.KIND: "released"}),
        release({fmt.KIND: ["release"]}),
        notice({fmt.PLACE_NAME: None}),
        notice({fmt.ORDER_KIND: None}),
        # A release certificate's fields under the notice kind: no place.
        release({fmt.KIND: fmt.NOTICE}),
    ],
    ids=[
        "colour",
        "released_at text",
        "released_at float",
        "no region",
        "start a number",
        "unknown kind",
        "kind a list",
        "notice without place",
        "notice without order kind",
        "release fields as notice",
    ],
)
def test_documents_that_break_the_format_are_malformed(claims):
    found = fmt.verify(fmt.sign(claims, KEY).text, KEYS, now=NOW)
    assert found.result is fmt.Result.MALFORMED
    assert found.reason == "claims do not follow the format"


def test_a_document_is_a_person_code_not_a_place_code():
    text = fmt.sign(release(), KEY).text
    assert fmt.verify(text, KEYS, now=NOW, place=True).reason == "unknown prefix"
    behind_place_prefix = fmt.sign(release(), KEY, prefix=fmt.PLACE_PREFIX).text
    assert fmt.verify(behind_place_prefix, KEYS, now=NOW).result is fmt.Result.MALFORMED


TEXT = st.text(max_size=40)
DAY = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2099, 12, 31))


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from([fmt.RELEASE, fmt.NOTICE]),
    name=TEXT,
    tail=st.text(max_size=4),
    order_kind=st.sampled_from(["centralised", "home", "home_monitoring"]),
    start=DAY,
    end=DAY,
    where=TEXT,
    released_at=st.integers(min_value=0, max_value=2**40),
)
def test_any_document_round_trips(kind, name, tail, order_kind, start, end, where, released_at):
    claims = fmt.document_claims(
        issuer="fangyi-test",
        subject="s",
        issued_at=NOW - 10,
        expires_at=NOW + 10,
        kind=kind,
        masked_name=name,
        id_tail=tail,
        order_kind=order_kind,
        start=start.isoformat(),
        end=end.isoformat(),
        released_at=released_at,
        place=where,
        region=where,
    )
    found = fmt.verify(fmt.sign(claims, KEY).text, KEYS, now=NOW)
    assert found.result is fmt.Result.VALID
    assert (found.claims["name"], found.claims["id_tail"]) == (name, tail)
    assert (found.claims["start"], found.claims["end"]) == (start.isoformat(), end.isoformat())
    if kind == fmt.RELEASE:
        assert (found.claims["released_at"], found.claims["region"]) == (released_at, where)
    else:
        assert found.claims["place"] == where
