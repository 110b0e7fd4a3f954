"""Release certificates and isolation notices as claims, signed or forged, for the codes
tests of both verifiers."""

import zlib

import base45
import cbor2

from fangyi.codes import format as fmt

NOW = 1_800_000_000


def release(changes=None):
    claims = fmt.document_claims(
        issuer="fangyi-test",
        subject="k3Jd8sQ1mZpX0aLw",
        issued_at=NOW - 3600,
        expires_at=NOW + 30 * 86_400,
        kind=fmt.RELEASE,
        masked_name="张*三",
        id_tail="002X",
        order_kind="centralised",
        start="2027-01-01",
        end="2027-01-08",
        released_at=NOW - 3600,
        region="鼓楼区 东街街道",
    )
    claims[fmt.PRIVATE].update(changes or {})
    return claims


def notice(changes=None):
    claims = fmt.document_claims(
        issuer="fangyi-test",
        subject="k3Jd8sQ1mZpX0aLw",
        issued_at=NOW - 86_400,
        expires_at=NOW + 6 * 86_400,
        kind=fmt.NOTICE,
        masked_name="张*三",
        id_tail="002X",
        order_kind="home",
        start="2027-01-01",
        end="2027-01-08",
        place="home",
    )
    claims[fmt.PRIVATE].update(changes or {})
    return claims


def repacked(text: str, claims: dict) -> str:
    """The code with other claims under its original signature: what a forger would try."""
    message = cbor2.loads(zlib.decompress(base45.b45decode(text.removeprefix(fmt.PERSON_PREFIX))))
    protected, unprotected, _payload, signature = message.value
    cose = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature]))
    return fmt.PERSON_PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode()
