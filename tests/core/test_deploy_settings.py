"""`fangyi check --deploy` is clean with the settings a production server is given, and those
settings say what docs/security.md promises (TLS from the proxy, HSTS, secure cookies)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import fangyi

SOURCE = str(Path(fangyi.__file__).resolve().parent.parent)


def production_env(tmp_path, **extra: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("FANGYI_", "DJANGO_")) or name == "FANGYI_DATABASE_URL"
    }
    env.update(
        PYTHONPATH=SOURCE,
        FANGYI_SECRET_KEY=secrets.token_urlsafe(50),
        FANGYI_ALLOWED_HOSTS="fangyi.example.org",
        FANGYI_BEHIND_TLS_PROXY="1",
        FANGYI_DATA_DIR=str(tmp_path),
        **extra,
    )
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_deployment_check_is_clean_in_production(tmp_path):
    done = run(
        production_env(tmp_path), "-m", "fangyi", "check", "--deploy", "--fail-level", "WARNING"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_without_the_tls_proxy_the_check_says_https_is_missing(tmp_path):
    env = production_env(tmp_path)
    del env["FANGYI_BEHIND_TLS_PROXY"]
    done = run(env, "-m", "fangyi", "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    assert "security.W008" in done.stderr + done.stdout


SHOW = """
import django, json
django.setup()
from django.conf import settings as s
print(json.dumps({
    "proxy": s.SECURE_PROXY_SSL_HEADER, "redirect": s.SECURE_SSL_REDIRECT,
    "hsts": s.SECURE_HSTS_SECONDS, "subdomains": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "cookies": [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE], "debug": s.DEBUG,
    "cache": s.CACHES["default"]["BACKEND"], "frames": s.X_FRAME_OPTIONS,
}))
"""


def test_production_settings_trust_the_proxy_and_keep_cookies_secure(tmp_path):
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="fangyi.settings")
    done = run(env, "-c", SHOW)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "redirect": True,
        "hsts": 365 * 24 * 3600,
        "subdomains": True,
        "cookies": [True, True],
        "debug": False,
        "cache": "django.core.cache.backends.db.DatabaseCache",
        "frames": "DENY",
    }
    redis = run(
        production_env(
            tmp_path,
            FANGYI_CACHE_URL="redis://127.0.0.1:6379/3",
            DJANGO_SETTINGS_MODULE="fangyi.settings",
        ),
        "-c",
        SHOW,
    )
    assert json.loads(redis.stdout)["cache"] == "django.core.cache.backends.redis.RedisCache"
