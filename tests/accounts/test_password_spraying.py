"""One wrong password tried against many usernames from one address (password spraying)
never trips the lockout per username and address; the address alone is locked after
"login-address" failures, whatever the usernames, and the lock-out is logged."""

import logging

from django.test import Client
from django.urls import reverse

from ..factories import UserFactory

PASSWORD = "correct horse battery"
SPRAYER = "203.0.113.7"


def attempt(client: Client, username: str, password: str = "Spring2022!"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_one_password_across_forty_usernames_locks_the_address(db, caplog):
    UserFactory(username="real_user")
    sprayer = Client(REMOTE_ADDR=SPRAYER)

    with caplog.at_level(logging.WARNING, logger="fangyi.security"):
        answers = [attempt(sprayer, f"user{n:02d}").status_code for n in range(40)]

    assert answers[:29] == [200] * 29
    assert answers[29:] == [429] * 11
    locked = attempt(sprayer, "real_user", PASSWORD)
    assert locked.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]
    assert any(
        record.name == "fangyi.security" and SPRAYER in record.getMessage()
        for record in caplog.records
    )
    # Another address is not held back by this one.
    elsewhere = attempt(Client(REMOTE_ADDR="198.51.100.20"), "real_user", PASSWORD)
    assert elsewhere.status_code == 302


def test_the_address_limit_is_the_settings(db, settings):
    settings.FANGYI_RATE_LIMITS = {**settings.FANGYI_RATE_LIMITS, "login-address": (3, 900)}
    sprayer = Client(REMOTE_ADDR=SPRAYER)

    answers = [attempt(sprayer, f"user{n}").status_code for n in range(5)]

    assert answers == [200, 200, 429, 429, 429]
