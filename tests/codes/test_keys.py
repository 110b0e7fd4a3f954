"""Signing keys live in 0600 files; rotation publishes the new key and keeps the old one while
its codes may live; nothing private is ever served or printed."""

import datetime
import json
import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from fangyi.codes import keys
from fangyi.codes.format import b64url


@pytest.fixture
def key_dir(settings, tmp_path):
    settings.FANGYI_SIGNING_KEY_DIR = tmp_path / "keys"
    return settings.FANGYI_SIGNING_KEY_DIR


def test_the_first_key_is_created_with_mode_0600_in_a_0700_directory(key_dir):
    key = keys.current_key()
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    assert key.path.name.endswith(f"-{key.kid.hex()}.pem")
    assert keys.current_key().kid == key.kid


def test_rotation_signs_with_the_new_key_and_keeps_publishing_the_old(key_dir):
    old = keys.current_key()
    new = keys.rotate_key()
    assert keys.current_key().kid == new.kid != old.kid
    published = [k["kid"] for k in keys.jwks()["keys"]]
    assert published == [b64url(new.kid), b64url(old.kid)]


def test_an_old_key_leaves_the_set_once_every_code_it_signed_has_expired(key_dir):
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    old = keys.rotate_key(now=start)
    new = keys.rotate_key(now=start + datetime.timedelta(days=1))
    lifetime = keys.longest_code_lifetime()
    just_before = new.created_at + lifetime - datetime.timedelta(seconds=1)
    assert [k.kid for k in keys.published_keys(just_before)] == [new.kid, old.kid]
    assert [k.kid for k in keys.published_keys(new.created_at + lifetime)] == [new.kid]


def test_a_key_others_can_read_is_refused(key_dir):
    key = keys.current_key()
    os.chmod(key.path, 0o644)
    keys._ring.forget()
    with pytest.raises(ImproperlyConfigured, match="chmod 600"):
        keys.current_key()


def test_a_renamed_key_file_is_refused(key_dir):
    key = keys.current_key()
    key.path.rename(key.path.with_name(key.path.name.replace(key.kid.hex(), "0" * 16)))
    keys._ring.forget()
    with pytest.raises(ImproperlyConfigured, match="does not match"):
        keys.current_key()


def test_the_jwks_holds_only_public_parts(key_dir):
    keys.current_key()
    served = json.dumps(keys.jwks())
    assert set(keys.jwks()["keys"][0]) == {"kty", "crv", "x", "y", "kid", "alg", "use"}
    assert '"d"' not in served
    assert "PRIVATE" not in repr(keys.current_key())


def test_rotate_key_command(key_dir, capsys):
    call_command("codes", "rotate-key")
    call_command("codes", "rotate-key")
    assert len(list(key_dir.glob("*.pem"))) == 2
    out = capsys.readouterr().out
    assert "New signing key" in out
    assert "BEGIN" not in out
