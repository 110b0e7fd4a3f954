"""The browser's verifier (verify.js in headless Chromium) gives the same verdict and claims
as the Python reference for release certificates and isolation notices, good or bad."""

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from fangyi.codes import format as fmt
from tests.codes.browser_support import compare, run_in_chromium
from tests.codes.document_support import notice, release, repacked

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = 1_800_000_000
KEY = ec.generate_private_key(ec.SECP256R1())
STRANGER = ec.generate_private_key(ec.SECP256R1())


def cases() -> list[tuple[str, object, dict]]:
    good = fmt.sign(release(), KEY)
    return [
        ("valid release", good.text, {}),
        ("valid notice", fmt.sign(notice(), KEY).text, {}),
        ("notice at a site", fmt.sign(notice({fmt.PLACE_NAME: "东街隔离酒店"}), KEY).text, {}),
        ("expired release", good.text, {"now": NOW + 31 * 86_400}),
        ("revoked release", good.text, {"revoked": [fmt.b64url(good.revocation_hash)]}),
        ("unknown key", fmt.sign(release(), STRANGER).text, {}),
        ("changed end", repacked(good.text, release({fmt.END: "2027-01-05"})), {}),
        ("with a colour", fmt.sign(release({fmt.COLOUR: "green"}), KEY).text, {}),
        ("released_at text", fmt.sign(release({fmt.RELEASED_AT: "x"}), KEY).text, {}),
        ("released_at float", fmt.sign(release({fmt.RELEASED_AT: 1.0}), KEY).text, {}),
        ("released_at huge", fmt.sign(release({fmt.RELEASED_AT: 2**70}), KEY).text, {}),
        ("notice without place", fmt.sign(notice({fmt.PLACE_NAME: None}), KEY).text, {}),
        ("release as notice", fmt.sign(release({fmt.KIND: fmt.NOTICE}), KEY).text, {}),
        ("kind a list", fmt.sign(release({fmt.KIND: ["release"]}), KEY).text, {}),
        ("only places", good.text, {"place": True}),
    ]


def test_the_browser_agrees_with_python_on_isolation_documents(live_server, in_browser):
    jwks = {"keys": [fmt.jwk_of(KEY.public_key())]}
    named = cases()
    results = in_browser(run_in_chromium, live_server.url, named, jwks)
    assert compare(named, results, jwks) == []
    by_name = {name: found for (name, _t, _o), found in zip(named, results, strict=True)}
    assert by_name["valid release"]["result"] == "valid"
    assert by_name["valid release"]["claims"]["released_at"] == NOW - 3600
    assert by_name["valid notice"]["claims"]["place"] == "home"
    assert by_name["expired release"]["result"] == "expired"
    assert by_name["revoked release"]["result"] == "revoked"
    assert by_name["changed end"]["result"] == "bad_signature"
    assert by_name["with a colour"]["result"] == "malformed"
