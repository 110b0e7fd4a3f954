"""The browser's verifier (codes/static/codes/verify.js, run in headless Chromium) against the
Python reference `fangyi.codes.format.verify`: for every code here, good, expired, damaged or
hostile, both must give the same result, reason, key id, revocation hash and claims."""

import hashlib
import random
import zlib

import base45
import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from fangyi.codes import format as fmt
from fangyi.codes import keys as signing_keys
from tests.codes.browser_support import compare, run_in_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


NOW = 1_800_000_000
KEY = ec.generate_private_key(ec.SECP256R1())
STRANGER = ec.generate_private_key(ec.SECP256R1())


def person(kind="display", colour="green", iat=NOW - 10, exp=NOW + 290, changes=None):
    claims = fmt.person_claims(
        issuer="fangyi-test",
        subject="k3Jd8sQ1mZpX0aLw",
        issued_at=iat,
        expires_at=exp,
        kind=kind,
        masked_name="张*三",
        id_tail="002X",
        policy_version="2022-06-9th.v1",
        colour=colour,
    )
    claims[fmt.PRIVATE].update(changes or {})
    return claims


def place():
    return fmt.place_claims(
        issuer="fangyi-test",
        subject="venue-7Hc2",
        issued_at=NOW - 86_400,
        expires_at=NOW + 86_400 * 300,
        venue_name="和平里菜市场",
        venue_kind="market",
        region_code="110101001",
    )


def pack(cose: bytes, prefix=fmt.PERSON_PREFIX) -> str:
    return prefix + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")


def cose_of(text: str) -> bytes:
    return zlib.decompress(base45.b45decode(text.partition(":")[2]))


def raw_signed(protected: bytes, payload: bytes, key=KEY, unprotected=None, tail=b"") -> bytes:
    """A COSE_Sign1 over exactly these bytes, for encodings `sign` would never produce."""
    to_sign = cbor2.dumps(["Signature1", protected, b"", payload])
    r, s = decode_dss_signature(key.sign(to_sign, ec.ECDSA(hashes.SHA256())))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    parts = [protected, unprotected or {}, payload, signature]
    return cbor2.dumps(cbor2.CBORTag(18, parts)) + tail


def kid_header(key=KEY) -> bytes:
    return cbor2.dumps({1: -7, 4: fmt.key_id(key.public_key())})


def named_cases() -> list[tuple[str, object, dict]]:
    good = fmt.sign(person(), KEY)
    card = fmt.sign(person(kind="card", colour=None), KEY)
    cose = cose_of(good.text)
    message = cbor2.loads(cose)
    protected, _unprotected, payload, signature = message.value
    flipped_signature = signature[:10] + bytes([signature[10] ^ 1]) + signature[11:]
    other_payload = cbor2.dumps(person(colour="red"))
    revoked = [fmt.b64url(good.revocation_hash)]
    claims = cbor2.dumps(person())
    bomb = fmt.PERSON_PREFIX + base45.b45encode(zlib.compress(bytes(200_000), 9)).decode()
    cases = [
        ("valid display", good.text, {}),
        *(
            (f"valid {colour}", fmt.sign(person(colour=colour), KEY).text, {})
            for colour in fmt.COLOURS
        ),
        ("valid card", card.text, {}),
        ("place code", fmt.sign(place(), KEY, prefix=fmt.PLACE_PREFIX).text, {}),
        (
            "place code, only persons",
            fmt.sign(place(), KEY, prefix=fmt.PLACE_PREFIX).text,
            {"place": False},
        ),
        ("person code, only places", good.text, {"place": True}),
        ("person claims behind the place prefix", pack(cose, fmt.PLACE_PREFIX), {}),
        ("expired", fmt.sign(person(iat=NOW - 600, exp=NOW - 300), KEY).text, {}),
        ("expires this second", fmt.sign(person(exp=NOW), KEY).text, {}),
        ("not yet valid", fmt.sign(person(iat=NOW + 61, exp=NOW + 400), KEY).text, {}),
        ("within the clock skew", fmt.sign(person(iat=NOW + 60, exp=NOW + 400), KEY).text, {}),
        ("fractional now", good.text, {"now": NOW + 289.5}),
        ("unknown key", fmt.sign(person(), STRANGER).text, {}),
        ("revoked", good.text, {"revoked": revoked}),
        ("revoked, padded entry", good.text, {"revoked": [revoked[0] + "=="]}),
        ("someone else revoked", card.text, {"revoked": revoked}),
        ("revoked and expired", good.text, {"revoked": revoked, "now": NOW + 1000}),
        ("unknown key beats revoked", fmt.sign(person(), STRANGER).text, {"revoked": revoked}),
        ("tampered signature", pack(raw_parts(protected, payload, flipped_signature)), {}),
        ("tampered payload", pack(raw_parts(protected, other_payload, signature)), {}),
        ("zero signature", pack(raw_parts(protected, payload, bytes(64))), {}),
        ("short signature", pack(raw_parts(protected, payload, signature[:63])), {}),
        (
            "tampered text",
            good.text[:20] + ("A" if good.text[20] != "A" else "B") + good.text[21:],
            {},
        ),
        ("surrounding whitespace", "\n\t " + good.text + " \u3000\x1c", {}),
        ("zero-width no-break space", "\ufeff" + good.text, {}),
        ("lower case", good.text.lower(), {}),
        ("wrong prefix", "FY2:" + good.text[4:], {}),
        ("prefix only", "FY1:", {}),
        ("empty", "", {}),
        ("not text", 12345, {}),
        ("non-ASCII", good.text[:30] + "码" + good.text[33:], {}),
        ("base45 group over 0xFFFF", "FY1:" + "::::::" + good.text[10:], {}),
        ("base45 odd tail", good.text + "0", {}),
        ("over 1 KiB", "FY1:" + "0" * 1021, {}),
        ("exactly 1 KiB", "FY1:" + "00" * 510, {}),
        ("1 KiB of Chinese", "码" * 342, {}),
        ("zlib bomb", bomb, {}),
        ("exactly 4 KiB", pack(bytes([0x59, 0x0F, 0xFD]) + bytes(4093)), {}),
        ("4 KiB and one", pack(bytes([0x59, 0x0F, 0xFE]) + bytes(4094)), {}),
        (
            "trailing zlib data",
            fmt.PERSON_PREFIX + base45.b45encode(zlib.compress(cose) + b"\x00").decode(),
            {},
        ),
        ("raw deflate", fmt.PERSON_PREFIX + base45.b45encode(cose).decode(), {}),
        ("not a tag", pack(cbor2.dumps([1, 2, 3, 4])), {}),
        ("wrong tag", pack(cbor2.dumps(cbor2.CBORTag(98, message.value))), {}),
        ("three parts", pack(cbor2.dumps(cbor2.CBORTag(18, message.value[:3]))), {}),
        ("text payload", pack(cbor2.dumps(cbor2.CBORTag(18, [protected, {}, "x", signature]))), {}),
        ("header not CBOR", pack(raw_parts(b"\xff", payload, signature)), {}),
        ("empty payload", pack(raw_parts(protected, b"", signature)), {}),
        ("ES384", pack(raw_signed(cbor2.dumps({1: -35, 4: b"12345678"}), claims)), {}),
        ("no kid", pack(raw_signed(cbor2.dumps({1: -7}), claims)), {}),
        ("7-byte kid", pack(raw_signed(cbor2.dumps({1: -7, 4: b"1234567"}), claims)), {}),
        ("text kid", pack(raw_signed(cbor2.dumps({1: -7, 4: "12345678"}), claims)), {}),
        ("claims a list", pack(raw_signed(kid_header(), cbor2.dumps([1, 2]))), {}),
        (
            "exp a float",
            pack(raw_signed(kid_header(), cbor2.dumps({**person(), fmt.EXP: float(NOW + 10)}))),
            {},
        ),
        (
            "exp a bool",
            pack(raw_signed(kid_header(), cbor2.dumps({**person(), fmt.EXP: True}))),
            {},
        ),
        (
            "iss bytes",
            pack(raw_signed(kid_header(), cbor2.dumps({**person(), fmt.ISS: b"fangyi"}))),
            {},
        ),
        (
            "display without colour",
            pack(raw_signed(kid_header(), cbor2.dumps(person(colour=None)))),
            {},
        ),
        (
            "card with colour",
            pack(raw_signed(kid_header(), cbor2.dumps(person(kind="card", colour="green")))),
            {},
        ),
        ("purple", pack(raw_signed(kid_header(), cbor2.dumps(person(colour="purple")))), {}),
        ("kind place on a person prefix", pack(raw_signed(kid_header(), cbor2.dumps(place()))), {}),
        (
            "name a number",
            pack(raw_signed(kid_header(), cbor2.dumps(person(changes={fmt.NAME: 7})))),
            {},
        ),
        (
            "undefined colour on a card",
            pack(
                raw_signed(
                    kid_header(),
                    cbor2.dumps(
                        person(kind="card", colour=None, changes={fmt.COLOUR: cbor2.undefined})
                    ),
                )
            ),
            {},
        ),
        (
            "null colour on a card",
            pack(
                raw_signed(
                    kid_header(),
                    cbor2.dumps(person(kind="card", colour=None, changes={fmt.COLOUR: None})),
                )
            ),
            {},
        ),
        # Encodings cbor2 reads and `sign` never writes: signed, so they must be valid.
        (
            "alg a float",
            pack(raw_signed(cbor2.dumps({1.0: -7.0, 4: fmt.key_id(KEY.public_key())}), claims)),
            {},
        ),
        (
            "alg key true",
            pack(raw_signed(cbor2.dumps({True: -7, 4: fmt.key_id(KEY.public_key())}), claims)),
            {},
        ),
        (
            "duplicate alg, -8 last",
            pack(raw_signed(bytes([0xA3, 0x01, 0x26, 0x01, 0x27]) + kid_header()[3:], claims)),
            {},
        ),
        (
            "duplicate alg, -7 last",
            pack(raw_signed(bytes([0xA3, 0x01, 0x27, 0x01, 0x26]) + kid_header()[3:], claims)),
            {},
        ),
        ("indefinite maps", pack(raw_signed(kid_header(), indefinite_map(person()))), {}),
        # A map with a sixth entry repeating a claim: the last one counts.
        (
            "non-shortest iat",
            pack(
                raw_signed(
                    kid_header(), b"\xa6" + claims[1:] + b"\x06\x1b" + (NOW - 10).to_bytes(8, "big")
                )
            ),
            {},
        ),
        (
            "bignum exp",
            pack(
                raw_signed(
                    kid_header(),
                    b"\xa6" + claims[1:] + b"\x04\xc2\x44" + (NOW + 100).to_bytes(4, "big"),
                )
            ),
            {},
        ),
        (
            "float exp repeated",
            pack(
                raw_signed(
                    kid_header(), b"\xa6" + claims[1:] + b"\x04" + cbor2.dumps(float(NOW + 9))
                )
            ),
            {},
        ),
        ("self-described", pack(b"\xd9\xd9\xf7" + cose), {}),
        ("trailing CBOR bytes", pack(cose + b"\x00\xff"), {}),
        (
            "odd unprotected header",
            pack(
                raw_signed(
                    kid_header(),
                    claims,
                    unprotected={
                        "x": [1.5, None, cbor2.undefined, cbor2.CBORSimpleValue(99)],
                        b"k": cbor2.CBORTag(1234, {(): -(2**64)}),
                    },
                )
            ),
            {},
        ),
        (
            "date tag in the unprotected header",
            pack(raw_signed(kid_header(), claims, unprotected={1: cbor2.CBORTag(100, 5)})),
            {},
        ),
        ("deep nesting", pack(raw_signed(kid_header(), claims, unprotected={1: nested(397)})), {}),
        ("too deep", pack(raw_signed(kid_header(), claims, unprotected={1: nested(398)})), {}),
        (
            "invalid UTF-8 in a claim",
            pack(
                raw_signed(
                    kid_header(),
                    cbor2.dumps(person(changes={fmt.NAME: "X"})).replace(b"\x61X", b"\x61\xff"),
                )
            ),
            {},
        ),
        (
            "BOM in the name",
            pack(raw_signed(kid_header(), cbor2.dumps(person(changes={fmt.NAME: "\ufeff张*三"})))),
            {},
        ),
    ]
    return cases


def raw_parts(protected: bytes, payload: bytes, signature: bytes) -> bytes:
    return cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, signature]))


def nested(depth: int):
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


def indefinite_map(claims: dict) -> bytes:
    def encode(value) -> bytes:
        if isinstance(value, dict):
            body = b"".join(encode(k) + encode(v) for k, v in value.items())
            return b"\xbf" + body + b"\xff"
        if isinstance(value, str):
            data = value.encode()
            return b"\x7f" + cbor2.dumps(data.decode()) + b"\xff"
        return cbor2.dumps(value)

    return encode(claims)


def mutated_cases(count: int) -> list[tuple[str, object, dict]]:
    """Random damage at each layer of valid codes: bit flips and cut-offs in the CBOR (then
    compressed again, so that they get past zlib) and in the text itself."""
    rng = random.Random(20220609)
    sources = [
        fmt.sign(person(), KEY).text,
        fmt.sign(person(kind="card", colour=None), KEY).text,
        fmt.sign(place(), KEY, prefix=fmt.PLACE_PREFIX).text,
    ]
    cases = []
    for index in range(count):
        text = sources[index % len(sources)]
        prefix = text[: text.index(":") + 1]
        cose = bytearray(cose_of(text))
        style = index % 4
        if style in (0, 1):
            for _ in range(1 + style * 2):
                cose[rng.randrange(len(cose))] ^= 1 << rng.randrange(8)
            cases.append((f"CBOR bit flip {index}", pack(bytes(cose), prefix), {}))
        elif style == 2:
            position = rng.randrange(len(cose))
            cose[position] = rng.choice(
                [
                    0x00,
                    0x18,
                    0x1F,
                    0x3B,
                    0x5F,
                    0x7F,
                    0x9F,
                    0xBF,
                    0xC1,
                    0xD2,
                    0xF4,
                    0xF7,
                    0xF8,
                    0xF9,
                    0xFB,
                    0xFF,
                ]
            )
            cases.append(
                (
                    f"CBOR byte {index}",
                    pack(bytes(cose[: rng.randrange(position, len(cose) + 1)]), prefix),
                    {},
                )
            )
        else:
            cut = list(text)
            position = rng.randrange(len(prefix), len(cut))
            cut[position] = rng.choice(fmt_alphabet())
            cases.append(
                (f"text change {index}", "".join(cut)[: rng.randrange(position, len(cut) + 1)], {})
            )
    return cases


def fmt_alphabet() -> str:
    return "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def test_the_browser_agrees_with_python_on_every_kind_of_code(live_server, in_browser):
    jwks = {"keys": [fmt.jwk_of(KEY.public_key())]}
    cases = named_cases()
    results = in_browser(run_in_chromium, live_server.url, cases, jwks)
    assert compare(cases, results, jwks) == []
    by_name = {name: found["result"] for (name, _t, _o), found in zip(cases, results, strict=True)}
    # The cases reach the results they are named after, not only "malformed" everywhere.
    assert by_name["valid display"] == "valid"
    assert by_name["valid card"] == "valid"
    assert by_name["place code"] == "valid"
    assert by_name["expired"] == "expired"
    assert by_name["not yet valid"] == "not_yet_valid"
    assert by_name["unknown key"] == "unknown_key"
    assert by_name["revoked"] == "revoked"
    assert by_name["tampered signature"] == "bad_signature"
    assert by_name["tampered payload"] == "bad_signature"
    assert by_name["zlib bomb"] == "malformed"
    assert by_name["over 1 KiB"] == "malformed"
    assert by_name["alg a float"] == by_name["bignum exp"] == by_name["indefinite maps"] == "valid"


def test_the_browser_agrees_with_python_on_randomly_damaged_codes(live_server, in_browser):
    jwks = {"keys": [fmt.jwk_of(KEY.public_key())]}
    cases = mutated_cases(600)
    results = in_browser(run_in_chromium, live_server.url, cases, jwks)
    assert compare(cases, results, jwks) == []
    assert {found["result"] for found in results} >= {"malformed", "bad_signature"}


def test_codes_issued_with_the_deployment_key_verify_against_its_published_keys(
    live_server, in_browser
):
    key = signing_keys.current_key()
    text = fmt.sign(person(), key.private_key).text
    jwks = signing_keys.jwks()
    stale = {"keys": [{**jwks["keys"][0], "kid": fmt.b64url(hashlib.sha256(b"x").digest()[:8])}]}
    cases = [("deployment key", text, {}), ("published kid does not match the key", text, {})]
    results = in_browser(run_in_chromium, live_server.url, cases[:1], jwks)
    assert results[0]["result"] == "valid"
    assert results[0]["kid"] == fmt.b64url(key.kid)
    mismatched = in_browser(run_in_chromium, live_server.url, cases[1:], stale)
    assert mismatched[0]["result"] == "unknown_key"
