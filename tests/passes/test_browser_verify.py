"""The browser's verifier (verify.js in headless Chromium) reads passes as the Python reference
does, good or damaged, and its pass rule gives the same verdict at every boundary."""

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from fangyi.codes import format as fmt
from tests.codes.browser_support import compare, run_in_chromium
from tests.codes.document_support import repacked
from tests.passes.support import GRID, HOUR, NOW, OTHER_STREET, STREET, courier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = ec.generate_private_key(ec.SECP256R1())
STRANGER = ec.generate_private_key(ec.SECP256R1())


def cases() -> list[tuple[str, object, dict]]:
    good = fmt.sign(courier(), KEY)
    return [
        ("valid pass", good.text, {}),
        ("expired pass", good.text, {"now": NOW + 240}),
        ("revoked pass", good.text, {"revoked": [fmt.b64url(good.revocation_hash)]}),
        ("unknown key", fmt.sign(courier(), STRANGER).text, {}),
        ("colour changed", repacked(good.text, courier(colour="yellow")), {}),
        ("test time changed", repacked(good.text, courier(tested_at=NOW)), {}),
        ("no colour", fmt.sign(courier({fmt.COLOUR: None}), KEY).text, {}),
        ("tested_at text", fmt.sign(courier({fmt.TESTED_AT: "x"}), KEY).text, {}),
        ("tested_at float", fmt.sign(courier({fmt.TESTED_AT: 1.0}), KEY).text, {}),
        ("tested_at huge", fmt.sign(courier({fmt.TESTED_AT: 2**70}), KEY).text, {}),
        ("areas a text", fmt.sign(courier({fmt.AREAS: STREET}), KEY).text, {}),
        ("areas of numbers", fmt.sign(courier({fmt.AREAS: [35]}), KEY).text, {}),
        ("no plate", fmt.sign(courier({fmt.PLATE: None}), KEY).text, {}),
        ("only places", good.text, {"place": True}),
    ]


RULE = """([cases]) => import("/static/codes/verify.js").then(({ passRefusal }) =>
  cases.map(([claims, now, path]) => passRefusal(claims, now, path)))"""


def rule_cases() -> list:
    claims = fmt.verify(fmt.sign(courier(), KEY).text, [KEY.public_key()], now=NOW).claims
    yellow = claims | {"colour": "yellow"}
    untested = claims | {"tested_at": 0}
    tested_at = claims["tested_at"]
    return [
        (claims, NOW, GRID),
        (claims, tested_at + 48 * HOUR, GRID),
        (claims, tested_at + 48 * HOUR + 1, GRID),
        (claims, tested_at + 48 * HOUR + 0.5, GRID),
        (yellow, NOW, GRID),
        (untested, NOW, GRID),
        (claims, NOW, OTHER_STREET),
        (claims, NOW, "350102"),
        (claims, NOW, None),
    ]


def run_rule(browser, url: str, cases: list) -> list:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{url}/static/codes/codes.css")
        return page.evaluate(RULE, [cases])
    finally:
        context.close()


def test_the_browser_agrees_with_python_on_passes(live_server, in_browser):
    jwks = {"keys": [fmt.jwk_of(KEY.public_key())]}
    named = cases()
    results = in_browser(run_in_chromium, live_server.url, named, jwks)
    assert compare(named, results, jwks) == []
    by_name = {name: found for (name, _t, _o), found in zip(named, results, strict=True)}
    assert by_name["valid pass"]["result"] == "valid"
    assert by_name["valid pass"]["claims"]["areas"] == [STREET]
    assert by_name["colour changed"]["result"] == "bad_signature"
    assert by_name["no colour"]["result"] == "malformed"


def test_the_browser_s_pass_rule_is_python_s(live_server, in_browser):
    cases = rule_cases()
    found = in_browser(run_rule, live_server.url, cases)
    expected = [fmt.pass_refusal(claims, now, path) for claims, now, path in cases]
    assert found == expected
    assert expected == [
        "",
        "",
        "test_too_old",
        "test_too_old",
        "not_green",
        "test_too_old",
        "outside_areas",
        "outside_areas",
        "",
    ]
