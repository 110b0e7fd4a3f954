"""Signing keys: PEM files with mode 0600 in FANGYI_SIGNING_KEY_DIR, never in the database.

A key file is named `<UTC creation time>-<kid hex>.pem`; the newest signs. An older key stays
published while a code it signed may still be alive: until its successor is older than the
longest lifetime a code can have. Every web process reads the directory again when it changes,
so `fangyi codes rotate-key` takes effect without a restart.
"""

import datetime
import fcntl
import logging
import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .format import jwk_of, key_id

logger = logging.getLogger(__name__)

TIME_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class SigningKey:
    kid: bytes
    created_at: datetime.datetime
    private_key: ec.EllipticCurvePrivateKey
    path: Path

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self.private_key.public_key()

    def __repr__(self) -> str:
        # Never the key itself, whatever logs this object.
        return f"SigningKey(kid={self.kid.hex()}, created_at={self.created_at:%Y-%m-%d %H:%M})"


def key_dir() -> Path:
    return Path(settings.FANGYI_SIGNING_KEY_DIR)


def longest_code_lifetime() -> datetime.timedelta:
    return max(
        datetime.timedelta(seconds=settings.FANGYI_DISPLAY_CODE_SECONDS),
        datetime.timedelta(days=settings.FANGYI_CARD_CODE_DAYS),
        datetime.timedelta(days=settings.FANGYI_PLACE_CODE_DAYS),
        datetime.timedelta(days=settings.FANGYI_RELEASE_CODE_DAYS),
    )


def _load(path: Path) -> SigningKey:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ImproperlyConfigured(
            f"Signing key {path} is readable by others (mode {mode:o}); run 'chmod 600 {path}'."
        )
    private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private_key, ec.EllipticCurvePrivateKey) or not isinstance(
        private_key.curve, ec.SECP256R1
    ):
        raise ImproperlyConfigured(f"Signing key {path} is not an EC P-256 key.")
    stamp, _sep, kid_hex = path.stem.partition("-")
    kid = key_id(private_key.public_key())
    if kid.hex() != kid_hex:
        raise ImproperlyConfigured(f"Signing key {path}: its name does not match its key id.")
    created_at = datetime.datetime.strptime(stamp, TIME_FORMAT).replace(tzinfo=datetime.UTC)
    return SigningKey(kid=kid, created_at=created_at, private_key=private_key, path=path)


class _Ring:
    """The keys of one directory, cached per process until the directory changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: tuple[str, int] | None = None
        self._keys: list[SigningKey] = []

    def keys(self) -> list[SigningKey]:
        directory = key_dir()
        try:
            mtime = directory.stat().st_mtime_ns
        except FileNotFoundError:
            return []
        seen = (str(directory), mtime)
        if seen != self._seen:
            with self._lock:
                paths = sorted(directory.glob("*.pem"))
                self._keys = [_load(path) for path in paths]
                self._seen = seen
        return self._keys

    def forget(self) -> None:
        with self._lock:
            self._seen = None
            self._keys = []


_ring = _Ring()


def all_keys() -> list[SigningKey]:
    """Every key on disk, oldest first."""
    return _ring.keys()


def rotate_key(now: datetime.datetime | None = None) -> SigningKey:
    """Adds a new signing key; it signs from now on."""
    directory = key_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = now or datetime.datetime.now(datetime.UTC)
    latest = all_keys()
    if latest and latest[-1].created_at >= now.replace(microsecond=0):
        # Names sort by creation time; two keys in one second would not.
        now = latest[-1].created_at + datetime.timedelta(seconds=1)
    private_key = ec.generate_private_key(ec.SECP256R1())
    kid = key_id(private_key.public_key())
    path = directory / f"{now.astimezone(datetime.UTC).strftime(TIME_FORMAT)}-{kid.hex()}.pem"
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    logger.info("new signing key %s", kid.hex())
    _ring.forget()
    return _load(path)


def current_key() -> SigningKey:
    """The newest key; the first call on an empty directory creates one (under a lock, so
    that two web processes starting together do not both create one)."""
    keys = all_keys()
    if keys:
        return keys[-1]
    directory = key_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _ring.forget()
        keys = all_keys()
        return keys[-1] if keys else rotate_key()


def published_keys(now: datetime.datetime | None = None) -> list[SigningKey]:
    """The current key and every older key whose codes may still be alive, newest first."""
    now = now or datetime.datetime.now(datetime.UTC)
    keys = all_keys()
    lifetime = longest_code_lifetime()
    published = []
    for index, key in enumerate(keys):
        successor = keys[index + 1] if index + 1 < len(keys) else None
        if successor is None or successor.created_at + lifetime > now:
            published.append(key)
    return list(reversed(published))


def jwks(now: datetime.datetime | None = None) -> dict:
    return {"keys": [jwk_of(key.public_key) for key in published_keys(now)]}


def verification_keys(now: datetime.datetime | None = None) -> dict:
    return {key.kid: key.public_key for key in published_keys(now)}
