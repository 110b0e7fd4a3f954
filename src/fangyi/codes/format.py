"""The FY1 code format: CWT claims, signed as COSE_Sign1 with ES256, zlib, Base45.

docs/code-format.md is this module in prose, for people writing their own verifier; the two
must say the same thing. Nothing here touches the database or Django settings, so that a
verifier can use it as it is.
"""

import base64
import hashlib
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from .base45 import b45decode, b45encode

PERSON_PREFIX = "FY1:"
PLACE_PREFIX = "FYP1:"

# Refused before any decoding: a code is a few hundred characters, and a small deflate stream
# can inflate to gigabytes.
MAX_TEXT_BYTES = 1024
MAX_INFLATED_BYTES = 4096

# A checkpoint phone's clock may run a little ahead of the issuer's.
CLOCK_SKEW_SECONDS = 60

COSE_SIGN1_TAG = 18
COSE_ALG, COSE_KID, ES256 = 1, 4, -7
SIGNATURE_BYTES = 64
KID_BYTES = 8
REVOCATION_HASH_BYTES = 16

# CWT claims (RFC 8392) and the keys of our private claim.
ISS, SUB, EXP, IAT, PRIVATE = 1, 2, 4, 6, -65537
COLOUR, NAME, ID_TAIL, POLICY, KIND = 1, 2, 3, 4, 5
VENUE_NAME, VENUE_KIND, REGION = 6, 7, 8
# Isolation documents: the order's kind, its first and last day, when it was released, where
# the person is isolated, and the region that issued the certificate.
ORDER_KIND, START, END, RELEASED_AT, PLACE_NAME, ISSUER_REGION = 9, 10, 11, 12, 13, 14
# Couriers' passes: the organisation, the vehicle plate, the paths of the regions the pass
# opens and their names, the whitelist's last day, the last negative test and the plan's window.
ORGANISATION, PLATE, AREAS, AREA_NAMES, PASS_UNTIL, TESTED_AT, TEST_HOURS = (
    15,
    16,
    17,
    18,
    19,
    20,
    21,
)

DISPLAY, CARD, PLACE = "display", "card", "place"
RELEASE, NOTICE = "release", "notice"
PASS = "pass"
# The texts each printed isolation document carries besides the name and ID tail.
DOCUMENT_TEXTS = {
    RELEASE: {"order_kind": ORDER_KIND, "start": START, "end": END, "region": ISSUER_REGION},
    NOTICE: {"order_kind": ORDER_KIND, "start": START, "end": END, "place": PLACE_NAME},
}
COLOURS = ("green", "yellow", "orange", "red")
# What cbor2 decodes a map to (a frozendict inside an immutable array); checked by exact type
# because an isinstance() against the Mapping ABC cost more than the rest of the claim checks.
_MAPS = (dict, cbor2.frozendict)

# A CBOR map: integer keys in the claims, any keys in what a stranger sends until checked.
CborMap = Mapping[Any, Any]
# Public keys as `key_set` accepts them: a JWKS, a list of JWKs or keys, or a ready mapping.
KeySource = Mapping[Any, Any] | Iterable[Any]


class Result(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_KEY = "unknown_key"
    REVOKED = "revoked"
    MALFORMED = "malformed"


class Verification:
    """What `verify` found. `kid` and `revocation_hash` are base64url texts, made on demand:
    most callers only look at the result."""

    __slots__ = ("result", "reason", "claims", "signed", "_kid", "_revocation")

    def __init__(
        self,
        result: Result,
        reason: str = "",
        claims: dict[str, Any] | None = None,
        *,
        kid: bytes | None = None,
        revocation: bytes | None = None,
        signed: bool = False,
    ) -> None:
        self.result = result
        self.reason = reason
        self.claims = claims
        # True only when the signature checked out: the claims can then be trusted.
        self.signed = signed
        self._kid = kid
        self._revocation = revocation

    @property
    def valid(self) -> bool:
        return self.result is Result.VALID

    @property
    def kid(self) -> str | None:
        return b64url(self._kid) if self._kid is not None else None

    @property
    def revocation_hash(self) -> str | None:
        return b64url(self._revocation) if self._revocation is not None else None

    def as_json(self) -> dict[str, Any]:
        return {
            "result": self.result.value,
            "reason": self.reason,
            "kid": self.kid,
            "revocation_hash": self.revocation_hash,
            "claims": self.claims,
        }

    def __repr__(self) -> str:
        return f"Verification({self.result.value!r}, {self.reason!r}, kid={self.kid})"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The first 8 bytes of SHA-256 of the key's DER SubjectPublicKeyInfo."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).digest()[:KID_BYTES]


def revocation_hash(signature: bytes) -> bytes:
    return hashlib.sha256(signature).digest()[:REVOCATION_HASH_BYTES]


def person_claims(
    *,
    issuer: str,
    subject: str,
    issued_at: int,
    expires_at: int,
    kind: str,
    masked_name: str,
    id_tail: str,
    policy_version: str,
    colour: str | None,
) -> dict[int, Any]:
    private: dict[int, Any] = {
        NAME: masked_name,
        ID_TAIL: id_tail,
        POLICY: policy_version,
        KIND: kind,
    }
    if colour is not None:
        private[COLOUR] = colour
    return {ISS: issuer, SUB: subject, EXP: expires_at, IAT: issued_at, PRIVATE: private}


def document_claims(
    *,
    issuer: str,
    subject: str,
    issued_at: int,
    expires_at: int,
    kind: str,
    masked_name: str,
    id_tail: str,
    order_kind: str,
    start: str,
    end: str,
    released_at: int | None = None,
    place: str | None = None,
    region: str | None = None,
) -> dict[int, Any]:
    """A printed isolation document: a release certificate or an isolation notice. Dates are
    `YYYY-MM-DD` texts, the days as the issuer's calendar has them."""
    private: dict[int, Any] = {
        KIND: kind,
        NAME: masked_name,
        ID_TAIL: id_tail,
        ORDER_KIND: order_kind,
        START: start,
        END: end,
    }
    if kind == RELEASE:
        private[RELEASED_AT] = released_at
        private[ISSUER_REGION] = region
    else:
        private[PLACE_NAME] = place
    return {ISS: issuer, SUB: subject, EXP: expires_at, IAT: issued_at, PRIVATE: private}


def place_claims(
    *,
    issuer: str,
    subject: str,
    issued_at: int,
    expires_at: int,
    venue_name: str,
    venue_kind: str,
    region_code: str,
) -> dict[int, Any]:
    private = {KIND: PLACE, VENUE_NAME: venue_name, VENUE_KIND: venue_kind, REGION: region_code}
    return {ISS: issuer, SUB: subject, EXP: expires_at, IAT: issued_at, PRIVATE: private}


def pass_claims(
    *,
    issuer: str,
    subject: str,
    issued_at: int,
    expires_at: int,
    masked_name: str,
    id_tail: str,
    policy_version: str,
    colour: str,
    organisation: str,
    plate: str,
    areas: list[str],
    area_names: str,
    valid_until: str,
    tested_at: int,
    test_hours: int,
) -> dict[int, Any]:
    """A courier's pass. `tested_at` is the last negative test (Unix seconds; 0 when there is
    none) and `test_hours` the plan's window, so that a checkpoint decides offline."""
    private: dict[int, Any] = {
        KIND: PASS,
        COLOUR: colour,
        NAME: masked_name,
        ID_TAIL: id_tail,
        POLICY: policy_version,
        ORGANISATION: organisation,
        PLATE: plate,
        AREAS: list(areas),
        AREA_NAMES: area_names,
        PASS_UNTIL: valid_until,
        TESTED_AT: tested_at,
        TEST_HOURS: test_hours,
    }
    return {ISS: issuer, SUB: subject, EXP: expires_at, IAT: issued_at, PRIVATE: private}


# Why a pass whose signature checked out still does not let its holder through.
NOT_GREEN, TEST_TOO_OLD, OUTSIDE_AREAS = "not_green", "test_too_old", "outside_areas"


def pass_refusal(claims: Mapping[str, Any], now: float, region_path: str | None = None) -> str:
    """The pass rule, for a pass `verify` found valid: "" when it lets its holder through,
    otherwise why not. Checked in this order: the colour at issue is green; the last negative
    test is no older than the plan's window (a test exactly `test_hours` old still counts);
    the checkpoint's region (its path; None when the checkpoint names none) lies within one
    of the pass's areas."""
    if claims["colour"] != "green":
        return NOT_GREEN
    tested_at = claims["tested_at"]
    if tested_at <= 0 or now > tested_at + claims["test_hours"] * 3600:
        return TEST_TOO_OLD
    if region_path is not None and not any(region_path.startswith(a) for a in claims["areas"]):
        return OUTSIDE_AREAS
    return ""


# RFC 6979: the same key and claims always give the same signature, so the server can sign a
# code again to revoke it without having recorded it (see codes.services).
_DETERMINISTIC_ES256 = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)


def _deflate(data: bytes) -> bytes:
    # A 512-byte window is plenty for a message of a few hundred bytes, compresses it as well
    # as the default 32 KiB, and skips setting up the large window (most of zlib's time here).
    # The window size is in the zlib header, so every inflater reads it.
    packer = zlib.compressobj(9, zlib.DEFLATED, 9, 1)
    return packer.compress(data) + packer.flush()


@dataclass(frozen=True)
class Signed:
    text: str
    signature: bytes

    @property
    def revocation_hash(self) -> bytes:
        return revocation_hash(self.signature)


def sign(
    claims: CborMap,
    private_key: ec.EllipticCurvePrivateKey,
    *,
    kid: bytes | None = None,
    prefix: str = PERSON_PREFIX,
) -> Signed:
    kid = kid if kid is not None else key_id(private_key.public_key())
    protected = cbor2.dumps({COSE_ALG: ES256, COSE_KID: kid})
    payload = cbor2.dumps(claims)
    to_sign = cbor2.dumps(["Signature1", protected, b"", payload])
    r, s = decode_dss_signature(private_key.sign(to_sign, _DETERMINISTIC_ES256))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    cose = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    text = prefix + b45encode(_deflate(cose)).decode("ascii")
    return Signed(text=text, signature=signature)


def public_key_from_jwk(jwk: CborMap) -> tuple[bytes, ec.EllipticCurvePublicKey]:
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ValueError("not a P-256 EC key")
    x = int.from_bytes(b64url_decode(jwk["x"]), "big")
    y = int.from_bytes(b64url_decode(jwk["y"]), "big")
    key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    kid = key_id(key)
    if "kid" in jwk and b64url_decode(jwk["kid"]) != kid:
        raise ValueError("kid does not match the key")
    return kid, key


def jwk_of(public_key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
        "kid": b64url(key_id(public_key)),
        "alg": "ES256",
        "use": "sig",
    }


def key_set(keys: KeySource) -> dict[bytes, ec.EllipticCurvePublicKey]:
    """Accepts a JWKS (`{"keys": [...]}`), a list of JWKs or public keys, or a ready mapping."""
    if type(keys) is dict and all(type(kid) is bytes for kid in keys):
        return keys
    if isinstance(keys, Mapping) and "keys" in keys:
        keys = keys["keys"]
    if isinstance(keys, Mapping):
        return dict(keys)
    found: dict[bytes, ec.EllipticCurvePublicKey] = {}
    for entry in keys:
        if isinstance(entry, ec.EllipticCurvePublicKey):
            found[key_id(entry)] = entry
            continue
        try:
            kid, key = public_key_from_jwk(entry)
        except (ValueError, KeyError, TypeError, AttributeError):
            # A key set is fetched from elsewhere: one entry we cannot use (another curve, a
            # kid that does not match its key) must not stop the others from verifying.
            continue
        found[kid] = key
    return found


def _revoked_set(revoked: Iterable[bytes | str]) -> set[bytes]:
    found = set()
    for entry in revoked:
        found.add(entry if isinstance(entry, bytes) else b64url_decode(entry))
    return found


def _malformed(reason: str) -> Verification:
    return Verification(Result.MALFORMED, reason)


def _readable(claims: CborMap, prefix: str) -> dict[str, Any] | None:
    """The claims with names instead of numbers, or None when they break the format."""
    # Untyped until checked: whatever the sender's CBOR held.
    private: Any = claims.get(PRIVATE)
    if type(private) not in _MAPS:
        return None
    iss, sub, exp, iat = (claims.get(k) for k in (ISS, SUB, EXP, IAT))
    if not (type(iss) is str and type(sub) is str):
        return None
    if not all(type(v) is int for v in (exp, iat)):
        return None
    kind = private.get(KIND)
    readable = {"iss": iss, "sub": sub, "exp": exp, "iat": iat, "kind": kind}
    if prefix == PLACE_PREFIX:
        if kind != PLACE:
            return None
        texts = {"venue_name": VENUE_NAME, "venue_kind": VENUE_KIND, "region": REGION}
    elif kind == PASS:
        if private.get(COLOUR) not in COLOURS:
            return None
        readable["colour"] = private.get(COLOUR)
        numbers = {"tested_at": TESTED_AT, "test_hours": TEST_HOURS}
        for name, key in numbers.items():
            value = private.get(key)
            if type(value) is not int:
                return None
            readable[name] = value
        areas = private.get(AREAS)
        if type(areas) not in (list, tuple) or not all(type(a) is str for a in areas):
            return None
        readable["areas"] = list(areas)
        texts = {
            "name": NAME,
            "id_tail": ID_TAIL,
            "policy": POLICY,
            "organisation": ORGANISATION,
            "plate": PLATE,
            "area_names": AREA_NAMES,
            "valid_until": PASS_UNTIL,
        }
    elif type(kind) is str and kind in DOCUMENT_TEXTS:
        # Documents carry no colour: what holds at the gate is what the paper says.
        if private.get(COLOUR) is not None:
            return None
        texts = {"name": NAME, "id_tail": ID_TAIL, **DOCUMENT_TEXTS[kind]}
        if kind == RELEASE:
            released_at = private.get(RELEASED_AT)
            if type(released_at) is not int:
                return None
            readable["released_at"] = released_at
    else:
        if kind not in (DISPLAY, CARD):
            return None
        colour = private.get(COLOUR)
        if kind == DISPLAY and colour not in COLOURS:
            return None
        if kind == CARD and colour is not None:
            return None
        readable["colour"] = colour
        texts = {"name": NAME, "id_tail": ID_TAIL, "policy": POLICY}
    for name, key in texts.items():
        value = private.get(key)
        if type(value) is not str:
            return None
        readable[name] = value
    return readable


def verify(
    text: object,
    keys: KeySource,
    revoked: Iterable[bytes | str] = (),
    now: float | None = None,
    *,
    place: bool | None = None,
) -> Verification:
    """Checks a `FY1:` (person) or `FYP1:` (place) code. Never raises on bad input: anything
    that is not a well-formed code is `malformed`. `place=True/False` accepts only one kind."""
    if not isinstance(text, str):
        return _malformed("not text")
    raw = text.strip().encode("utf-8", "replace")
    if len(raw) > MAX_TEXT_BYTES:
        return _malformed("longer than 1 KiB")
    prefixes = {None: (PERSON_PREFIX, PLACE_PREFIX), True: (PLACE_PREFIX,), False: (PERSON_PREFIX,)}
    prefix = next((p for p in prefixes[place] if raw.startswith(p.encode())), None)
    if prefix is None:
        return _malformed("unknown prefix")
    try:
        compressed = b45decode(raw[len(prefix) :])
    except ValueError:
        return _malformed("not Base45")
    inflater = zlib.decompressobj()
    try:
        cose = inflater.decompress(compressed, MAX_INFLATED_BYTES + 1)
    except zlib.error:
        return _malformed("not zlib")
    if len(cose) > MAX_INFLATED_BYTES or inflater.unconsumed_tail:
        return _malformed("inflates past 4 KiB")
    if not inflater.eof or inflater.unused_data:
        return _malformed("truncated or trailing zlib data")
    try:
        message = cbor2.loads(cose)
        if not (isinstance(message, cbor2.CBORTag) and message.tag == COSE_SIGN1_TAG):
            return _malformed("not a COSE_Sign1 message")
        parts = message.value
        if not (type(parts) in (list, tuple) and len(parts) == 4):
            return _malformed("not a COSE_Sign1 message")
        protected_bytes, _unprotected, payload, signature = parts
        if not (type(protected_bytes) is type(payload) is type(signature) is bytes):
            return _malformed("not a COSE_Sign1 message")
        header = cbor2.loads(protected_bytes)
        claims = cbor2.loads(payload)
    except Exception:  # cbor2 raises many kinds on hostile input; all mean the same here
        return _malformed("not CBOR")
    if type(header) not in _MAPS or header.get(COSE_ALG) != ES256:
        return _malformed("algorithm is not ES256")
    kid = header.get(COSE_KID)
    if not (type(kid) is bytes and len(kid) == KID_BYTES):
        return _malformed("no 8-byte key id")
    if len(signature) != SIGNATURE_BYTES:
        return _malformed("signature is not 64 bytes")
    if type(claims) not in _MAPS:
        return _malformed("claims are not a map")
    readable = _readable(claims, prefix)
    if readable is None:
        return _malformed("claims do not follow the format")
    revoked_hash = revocation_hash(signature)
    found: dict[str, Any] = {"claims": readable, "kid": kid, "revocation": revoked_hash}
    key = key_set(keys).get(kid)
    if key is None:
        return Verification(Result.UNKNOWN_KEY, "no published key with this id", **found)
    to_verify = cbor2.dumps(["Signature1", protected_bytes, b"", payload])
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        key.verify(der, to_verify, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return Verification(Result.BAD_SIGNATURE, "signature does not match", **found)
    if revoked and revoked_hash in _revoked_set(revoked):
        return Verification(Result.REVOKED, "on the revocation list", signed=True, **found)
    now = time.time() if now is None else now
    if now + CLOCK_SKEW_SECONDS < readable["iat"]:
        return Verification(Result.NOT_YET_VALID, "issued in the future", signed=True, **found)
    if now >= readable["exp"]:
        return Verification(Result.EXPIRED, "past its expiry", signed=True, **found)
    return Verification(Result.VALID, "", signed=True, **found)
