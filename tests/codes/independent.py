"""A second verifier written only from docs/code-format.md, with cbor2, cryptography, zlib and
the `base45` package: it shares no code with fangyi.codes, so the two must agree on the format."""

import hashlib
import zlib

import base45
import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def kid_of(public_key) -> bytes:
    spki = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(spki).digest()[:8]


def open_code(text: str, public_key) -> dict:
    """The claims of a code whose signature checks out; raises on anything else."""
    prefix, _colon, body = text.partition(":")
    assert prefix in ("FY1", "FYP1")
    message = cbor2.loads(zlib.decompress(base45.b45decode(body)))
    assert message.tag == 18
    protected, _unprotected, payload, signature = message.value
    header = cbor2.loads(protected)
    assert header[1] == -7
    assert header[4] == kid_of(public_key)
    assert len(signature) == 64
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    public_key.verify(der, to_be_signed, ec.ECDSA(hashes.SHA256()))
    return cbor2.loads(payload)


def revocation_hash(text: str) -> bytes:
    message = cbor2.loads(zlib.decompress(base45.b45decode(text.partition(":")[2])))
    return hashlib.sha256(message.value[3]).digest()[:16]
