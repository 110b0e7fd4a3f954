"""Settings, all read from FANGYI_* environment variables (see README.md)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("FANGYI_BASE_DIR", PACKAGE_DIR.parent.parent)).resolve()
DATA_DIR = Path(os.environ.get("FANGYI_DATA_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("FANGYI_DEBUG", False)
SECRET_KEY = os.environ.get("FANGYI_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("FANGYI_INSECURE_DEV_KEY", False):
        raise ImproperlyConfigured(
            "Set FANGYI_SECRET_KEY (or FANGYI_DEBUG=1 for a development machine)."
        )
    SECRET_KEY = "fangyi-development-only-not-for-production"

ALLOWED_HOSTS = env_list("FANGYI_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("FANGYI_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "axes",
    "fangyi.core",
    "fangyi.accounts",
    "fangyi.regions",
    "fangyi.people",
    "fangyi.ledgers",
    "fangyi.health",
    "fangyi.codes",
    "fangyi.portal",
    "fangyi.checkpoints",
    "fangyi.fieldwork",
    "fangyi.screening",
    "fangyi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fangyi.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fangyi.urls"
WSGI_APPLICATION = "fangyi.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("FANGYI_DATABASE_URL", f"sqlite:///{DATA_DIR / 'fangyi.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # case_sensitive_like lets SQLite answer `path LIKE 'prefix%'` from an index,
        # which every scoped query relies on.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA case_sensitive_like=ON; PRAGMA busy_timeout=5000; "
            "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# JSON bodies: a batch of 10,000 facts with long details must fit (files use upload handlers).
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": os.environ.get("FANGYI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AXES_FAILURE_LIMIT = int(os.environ.get("FANGYI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("FANGYI_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 12 * 3600

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("FANGYI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("FANGYI_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [p for p in [BASE_DIR / "node_modules"] if p.is_dir()]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FANGYI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

FANGYI_PAGE_SIZE = int(os.environ.get("FANGYI_PAGE_SIZE", "50"))

FILE_UPLOAD_HANDLERS = [
    "fangyi.ledgers.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Ledger files: uploads, error workbooks and exports live here, one folder per job.
FANGYI_LEDGER_DIR = Path(os.environ.get("FANGYI_LEDGER_DIR", DATA_DIR / "ledgers"))
FANGYI_LEDGER_MAX_BYTES = int(os.environ.get("FANGYI_LEDGER_MAX_MB", "200")) * 1024 * 1024
FANGYI_LEDGER_MAX_ROWS = int(os.environ.get("FANGYI_LEDGER_MAX_ROWS", "2000000"))
# An xlsx is a zip: what it may inflate to before it counts as a zip bomb.
FANGYI_LEDGER_MAX_UNPACKED_BYTES = (
    int(os.environ.get("FANGYI_LEDGER_MAX_UNPACKED_MB", "2048")) * 1024 * 1024
)
# Smaller uploads are checked and imported while the page waits; larger ones by the worker.
FANGYI_LEDGER_INLINE_BYTES = int(os.environ.get("FANGYI_LEDGER_INLINE_KB", "512")) * 1024
# A residents ledger of at least FANGYI_LEDGER_SPLIT_MIN_ROWS rows is imported by this many
# processes, split by building (PostgreSQL only; ledgers/splitting.py); default: the cores.
FANGYI_LEDGER_PROCESSES = int(os.environ.get("FANGYI_LEDGER_PROCESSES", "0")) or (
    getattr(os, "process_cpu_count", os.cpu_count)() or 1
)
FANGYI_LEDGER_SPLIT_MIN_ROWS = int(os.environ.get("FANGYI_LEDGER_SPLIT_MIN_ROWS", "20000"))
# `fangyi ledger purge` deletes the files of jobs finished longer ago than this.
FANGYI_LEDGER_KEEP_DAYS = int(os.environ.get("FANGYI_LEDGER_KEEP_DAYS", "7"))
# Statuses of up to this many persons are recomputed while the request waits (a zone over a
# community: the officer sees the colours at once); more go to the task worker.
FANGYI_HEALTH_INLINE_PERSONS = int(os.environ.get("FANGYI_HEALTH_INLINE_PERSONS", "20000"))
# A recompute of every status (a new plan) over at least FANGYI_HEALTH_SPLIT_MIN_PERSONS
# persons is split into ranges of ids over this many processes (PostgreSQL only).
FANGYI_HEALTH_PROCESSES = int(os.environ.get("FANGYI_HEALTH_PROCESSES", "0")) or (
    getattr(os, "process_cpu_count", os.cpu_count)() or 1
)
FANGYI_HEALTH_SPLIT_MIN_PERSONS = int(os.environ.get("FANGYI_HEALTH_SPLIT_MIN_PERSONS", "100000"))
# A queued or running job that has not moved for this long is shown as stalled.
FANGYI_LEDGER_STALLED_MINUTES = int(os.environ.get("FANGYI_LEDGER_STALLED_MINUTES", "10"))
# Exports of more rows than this are written by the worker.
FANGYI_LEDGER_INLINE_EXPORT_ROWS = int(os.environ.get("FANGYI_LEDGER_INLINE_EXPORT_ROWS", "20000"))

# Health codes. The issuer id goes into every code (claim 1); private signing keys live as
# files with mode 0600 in the key directory, never in the database.
FANGYI_CODE_ISSUER = os.environ.get("FANGYI_CODE_ISSUER", "fangyi")
FANGYI_SIGNING_KEY_DIR = Path(os.environ.get("FANGYI_SIGNING_KEY_DIR", DATA_DIR / "keys"))
FANGYI_DISPLAY_CODE_SECONDS = int(os.environ.get("FANGYI_DISPLAY_CODE_SECONDS", "300"))
FANGYI_CARD_CODE_DAYS = int(os.environ.get("FANGYI_CARD_CODE_DAYS", "30"))
FANGYI_PLACE_CODE_DAYS = int(os.environ.get("FANGYI_PLACE_CODE_DAYS", "365"))

# Resident portal: one-time codes by SMS ("log" writes them to the log, "file" appends JSON
# lines to FANGYI_SMS_FILE), and how long a resident's login lasts.
FANGYI_SMS_BACKEND = os.environ.get("FANGYI_SMS_BACKEND", "log")
FANGYI_SMS_FILE = os.environ.get("FANGYI_SMS_FILE", "")
FANGYI_RESIDENT_LOGIN_DAYS = int(os.environ.get("FANGYI_RESIDENT_LOGIN_DAYS", "30"))

# Check-ins and checkpoint scans older than this are purged by `fangyi checkpoints purge`.
FANGYI_CHECKIN_KEEP_DAYS = int(os.environ.get("FANGYI_CHECKIN_KEEP_DAYS", "21"))
