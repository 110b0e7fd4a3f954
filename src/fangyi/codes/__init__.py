"""Signed health codes and place codes (docs/code-format.md).

`fangyi.codes.verify(text, keys, revoked=(), now=None)` is the verifier library: it needs
neither Django nor a database, so any program can check a code with only the public keys.
"""

from .format import Result, Verification, verify

__all__ = ["Result", "Verification", "verify"]
