import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from fangyi.accounts.models import ApiToken, User
from fangyi.accounts.services import user_for_token


def test_create_staff_and_token(city, capsys, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    call_command(
        "staff",
        "create",
        "--username",
        "wang",
        "--password",
        "a-long-pass-phrase",
        "--role",
        "grid_worker",
        "--region",
        city.grid_a.code,
    )
    user = User.objects.get(username="wang")
    assert user.password.startswith("argon2")
    assert list(user.role_assignments.values_list("role", "region__code")) == [
        ("grid_worker", city.grid_a.code)
    ]
    capsys.readouterr()
    call_command("staff", "token", "wang")
    raw = capsys.readouterr().out.strip()
    assert user_for_token(raw) == user
    assert raw not in ApiToken.objects.values_list("key_hash", flat=True)


def test_unknown_region_is_a_clear_error(city):
    with pytest.raises(CommandError, match="no region has code"):
        call_command(
            "staff",
            "create",
            "--username",
            "li",
            "--password",
            "a-long-pass-phrase",
            "--role",
            "officer",
            "--region",
            "999",
        )


def test_weak_password_is_refused(city):
    with pytest.raises(CommandError, match="password"):
        call_command(
            "staff",
            "create",
            "--username",
            "li",
            "--password",
            "123",
            "--role",
            "officer",
            "--region",
            city.street.code,
        )


def test_failed_logins_are_rate_limited(city, rf):
    call_command(
        "staff",
        "create",
        "--username",
        "zhao",
        "--password",
        "a-long-pass-phrase",
        "--role",
        "officer",
        "--region",
        city.street.code,
    )
    for _attempt in range(5):
        request = rf.post("/login/")
        assert authenticate(request, username="zhao", password="wrong") is None
    request = rf.post("/login/")
    assert authenticate(request, username="zhao", password="a-long-pass-phrase") is None


def test_officer_cannot_create_an_admin(city, officer):
    from django.core.exceptions import PermissionDenied

    from fangyi.accounts.services import create_staff

    with pytest.raises(PermissionDenied):
        create_staff(
            actor=officer,
            username="boss",
            password="a-long-pass-phrase",
            role="admin",
            region=city.grid_a,
        )
    assert not User.objects.filter(username="boss").exists()
    worker = create_staff(
        actor=officer,
        username="helper",
        password="a-long-pass-phrase",
        role="grid_worker",
        region=city.grid_a,
    )
    assert worker.role_assignments.get().role == "grid_worker"


@pytest.mark.parametrize("full_name", ["王\u202e明", "王\u200b明", "<script>"])
def test_a_staff_name_no_one_has_is_refused(city, officer, full_name):
    from django.core.exceptions import ValidationError

    from fangyi.accounts.services import create_staff

    with pytest.raises(ValidationError) as refused:
        create_staff(
            actor=officer,
            username="helper",
            password="a-long-pass-phrase",
            role="grid_worker",
            region=city.grid_a,
            full_name=full_name,
        )
    assert "full_name" in refused.value.message_dict
    assert not User.objects.filter(username="helper").exists()
