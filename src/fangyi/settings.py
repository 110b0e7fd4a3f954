"""Settings, all read from FANGYI_* environment variables (see README.md)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from fangyi.core.tasking import RQ as RQ_BACKEND
from fangyi.core.tasking import backend_path

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
    # Before django_tasks_db: core's `db_worker` (recovery first, then the worker) wins.
    "fangyi.core",
    "django_tasks_db",
    "axes",
    # The API's documentation pages from ninja's own static files, not a CDN (see SECURE_CSP).
    "ninja",
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
    "fangyi.isolation",
    "fangyi.investigations",
    "fangyi.passes",
    "fangyi.supplies",
    "fangyi.markets",
    "fangyi.hotline",
    "fangyi.sweeps",
    "fangyi.notices",
    "fangyi.command",
    "fangyi.enterprises",
    "fangyi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fangyi.core.middleware.ErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "fangyi.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fangyi.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
    "fangyi.core.middleware.DatabaseUnavailableMiddleware",
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

# --- Database connections under faults -------------------------------------------------
# A connection kept between requests (CONN_MAX_AGE) is checked before a request reuses it, so
# a database that restarted costs one reconnect instead of an error. Each connection attempt
# gives up after FANGYI_DB_CONNECT_TIMEOUT seconds; a web request's statements give up after
# FANGYI_DB_STATEMENT_TIMEOUT_MS (0: never). Only web processes get the statement timeout:
# wsgi.py and asgi.py set FANGYI_PROCESS=web before the settings load, and the task worker
# and commands, which run long statements on purpose, never do. Both timeouts stay below
# gunicorn's --timeout (README), so a request answers 503 before its worker is killed.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
FANGYI_DB_CONNECT_TIMEOUT = int(os.environ.get("FANGYI_DB_CONNECT_TIMEOUT", "5"))
FANGYI_DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("FANGYI_DB_STATEMENT_TIMEOUT_MS", "30000"))
FANGYI_WEB_PROCESS = os.environ.get("FANGYI_PROCESS") == "web"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = FANGYI_DB_CONNECT_TIMEOUT
    if FANGYI_WEB_PROCESS and FANGYI_DB_STATEMENT_TIMEOUT_MS > 0:
        DATABASES["default"]["OPTIONS"]["options"] = (
            f"-c statement_timeout={FANGYI_DB_STATEMENT_TIMEOUT_MS}"
        )
# Answered with a database error's 503: when to try again, in seconds.
FANGYI_DB_RETRY_AFTER = int(os.environ.get("FANGYI_DB_RETRY_AFTER", "5"))
# --- end of database connections under faults ------------------------------------------

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# JSON bodies: a batch of 10,000 facts with long details must fit (files use upload handlers).
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

# Background tasks: FANGYI_TASK_BACKEND is `database` (the default: django-tasks-db, worker
# `fangyi db_worker`), `rq` (django-tasks-rq on Redis, worker `fangyi rqworker`) or a dotted
# path; `fangyi worker` starts the worker of whichever is configured. See docs/tasks.md.
TASKS = {"default": {"BACKEND": backend_path(os.environ.get("FANGYI_TASK_BACKEND", "database"))}}
if TASKS["default"]["BACKEND"] == RQ_BACKEND:
    INSTALLED_APPS.append("django_rq")

# Redis, for the rq task backend: one queue per django.tasks queue name.
FANGYI_REDIS_URL = os.environ.get("FANGYI_REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": FANGYI_REDIS_URL}}

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
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint tells each step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
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
# A running job (an import, an export, a recompute) whose worker process is gone from this
# machine is recovered at once; one whose worker ran elsewhere, once its heartbeat is this old.
FANGYI_JOB_STALLED_MINUTES = int(
    os.environ.get("FANGYI_JOB_STALLED_MINUTES", FANGYI_LEDGER_STALLED_MINUTES)
)
# A job is started at most this many times (the first run and its resumptions) before it is
# failed: a file that kills its worker must not kill every worker after it.
FANGYI_JOB_MAX_ATTEMPTS = int(os.environ.get("FANGYI_JOB_MAX_ATTEMPTS", "3"))
# Exports of more rows than this are written by the worker.
FANGYI_LEDGER_INLINE_EXPORT_ROWS = int(os.environ.get("FANGYI_LEDGER_INLINE_EXPORT_ROWS", "20000"))

# Health codes. The issuer id goes into every code (claim 1); private signing keys live as
# files with mode 0600 in the key directory, never in the database.
FANGYI_CODE_ISSUER = os.environ.get("FANGYI_CODE_ISSUER", "fangyi")
FANGYI_SIGNING_KEY_DIR = Path(os.environ.get("FANGYI_SIGNING_KEY_DIR", DATA_DIR / "keys"))
FANGYI_DISPLAY_CODE_SECONDS = int(os.environ.get("FANGYI_DISPLAY_CODE_SECONDS", "300"))
FANGYI_CARD_CODE_DAYS = int(os.environ.get("FANGYI_CARD_CODE_DAYS", "30"))
FANGYI_PLACE_CODE_DAYS = int(os.environ.get("FANGYI_PLACE_CODE_DAYS", "365"))
FANGYI_RELEASE_CODE_DAYS = int(os.environ.get("FANGYI_RELEASE_CODE_DAYS", "30"))
# A courier's pass carries their colour and last test, so it lives as briefly as a display code.
FANGYI_PASS_CODE_SECONDS = int(os.environ.get("FANGYI_PASS_CODE_SECONDS", "300"))

# Resident portal: one-time codes by SMS ("log" writes them to the log, "file" appends JSON
# lines to FANGYI_SMS_FILE), and how long a resident's login lasts.
FANGYI_SMS_BACKEND = os.environ.get("FANGYI_SMS_BACKEND", "log")
FANGYI_SMS_FILE = os.environ.get("FANGYI_SMS_FILE", "")
FANGYI_RESIDENT_LOGIN_DAYS = int(os.environ.get("FANGYI_RESIDENT_LOGIN_DAYS", "30"))
# Notices: how many SMS a minute the SMS backend accepts (the gateway's contract says).
FANGYI_NOTICE_SMS_PER_MINUTE = int(os.environ.get("FANGYI_NOTICE_SMS_PER_MINUTE", "600"))

# Check-ins and checkpoint scans older than this are purged by `fangyi checkpoints purge`.
FANGYI_CHECKIN_KEEP_DAYS = int(os.environ.get("FANGYI_CHECKIN_KEEP_DAYS", "21"))

# --- Security: TLS, headers, caches and rate limits (docs/security.md) ---------------------
# Behind a proxy that ends TLS and sets X-Forwarded-Proto, Django learns from that header that
# a request came over HTTPS: secure cookies, HSTS and redirects follow. Only set it when the
# proxy overwrites the header the client sent; otherwise a client could claim HTTPS itself.
FANGYI_BEHIND_TLS_PROXY = env_bool("FANGYI_BEHIND_TLS_PROXY", False)
if FANGYI_BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A plain-HTTP request is redirected to HTTPS: by default whenever a TLS proxy stands in front.
SECURE_SSL_REDIRECT = env_bool("FANGYI_SSL_REDIRECT", FANGYI_BEHIND_TLS_PROXY)
# HSTS is only sent on HTTPS responses (SecurityMiddleware), so this does nothing on plain HTTP.
SECURE_HSTS_SECONDS = int(os.environ.get("FANGYI_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FANGYI_HSTS_INCLUDE_SUBDOMAINS", True)
# Entering a browser's preload list is the operator's step, taken by submitting the domain:
# the directive is only sent once they say so, and check --deploy need not nag before that.
SECURE_HSTS_PRELOAD = env_bool("FANGYI_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Scripts and styles come from this site only: no inline script, no eval, no <style> element.
# Style attributes stay allowed (progress bars draw their width with one, qr-scanner its
# overlay); they run no code, and what CSS could load is held to this site by img-src and
# font-src. The camera's decoder runs in a worker made from a blob: URL.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "media-src": [CSP.SELF, "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF, "blob:"],
    "manifest-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# The camera for this site's own pages (the scan screens); nothing else a page could ask for.
FANGYI_PERMISSIONS_POLICY = (
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "bluetooth=(), midi=(), display-capture=(), fullscreen=(self), interest-cohort=()"
)

# One cache shared by every process: rate-limit counters must add up across gunicorn workers
# and the colour-count stamps must reach the web processes when a worker renews them.
# FANGYI_CACHE_URL: redis://host:6379/0 for Redis; unset or db:// for a table in the database
# (created by `fangyi migrate`); locmem:// for one process alone (development).
FANGYI_CACHE_URL = os.environ.get("FANGYI_CACHE_URL", "db://")
CACHES: dict[str, dict[str, object]]
if FANGYI_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": FANGYI_CACHE_URL,
            "KEY_PREFIX": os.environ.get("FANGYI_CACHE_PREFIX", "fangyi"),
        }
    }
elif FANGYI_CACHE_URL == "db://":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "fangyi_cache",
            # Every write counts the table; culling a third of it at 300 rows (the default)
            # would throw away live rate-limit windows.
            "OPTIONS": {"MAX_ENTRIES": 50000},
        }
    }
elif FANGYI_CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(
        f"FANGYI_CACHE_URL is {FANGYI_CACHE_URL!r}: use redis://…, db:// or locmem://."
    )

# Rate limits: name → (events, seconds), counted per client address or per token in the cache
# above. FANGYI_RATE_LIMITS overrides some: "login-address=30/900,token-use=600/60".
# Addresses are shared (offices, mobile carriers' NAT), so the per-address limits are generous;
# they stop a script, not a street.
FANGYI_RATE_LIMITS = {
    # Wrong passwords from one address, whatever the usernames (password spraying); the
    # lockout per username and address is axes' own (FANGYI_LOGIN_FAILURE_LIMIT).
    "login-address": (30, 15 * 60),
    # Wrong one-time codes from one address, across numbers.
    "otp-address": (30, 15 * 60),
    # Unknown or expired bearer tokens from one address.
    "token-failures": (60, 5 * 60),
    # Requests made with one staff token.
    "token-use": (600, 60),
    # Public endpoints read by anyone: the place-code check and the verification keys.
    "public-address": (300, 60),
    # Requests a resident files on the portal (hotline tickets), per resident: each lands in
    # a unit's inbox with its clock running.
    "resident-tickets": (10, 60 * 60),
}
for _item in env_list("FANGYI_RATE_LIMITS", ""):
    _name, _sep, _value = _item.partition("=")
    _events, _slash, _seconds = _value.partition("/")
    if _name.strip() not in FANGYI_RATE_LIMITS or not (_events.isdigit() and _seconds.isdigit()):
        raise ImproperlyConfigured(
            f"FANGYI_RATE_LIMITS: {_item!r} is not name=events/seconds with a known name "
            f"({', '.join(FANGYI_RATE_LIMITS)})."
        )
    FANGYI_RATE_LIMITS[_name.strip()] = (int(_events), int(_seconds))
AXES_HANDLER = "fangyi.accounts.lockout.AddressAwareHandler"
# The header a proxy in front writes the client's address into (X-Real-IP, or X-Forwarded-For
# whose last entry is then taken). Without it, behind a proxy, every client has the proxy's
# address: one person's mistakes would lock out everyone. Never set it without such a proxy.
# Axes reads REMOTE_ADDR, which the middleware has corrected by then.
FANGYI_CLIENT_ADDRESS_HEADER = os.environ.get("FANGYI_CLIENT_ADDRESS_HEADER", "")
if FANGYI_CLIENT_ADDRESS_HEADER:
    MIDDLEWARE.insert(0, "fangyi.core.middleware.ClientAddressMiddleware")

# Isolation's daily follow-up: the hours (local time) at which each check-in slot opens,
# morning then afternoon, and the hour after which a person with a slot of the day still
# unreported becomes a follow-up task for their grid team.
FANGYI_CHECK_IN_SLOTS = tuple(int(hour) for hour in env_list("FANGYI_CHECK_IN_SLOTS", "7,14"))
FANGYI_CHECK_IN_MISSED_HOUR = int(os.environ.get("FANGYI_CHECK_IN_MISSED_HOUR", "20"))
if len(FANGYI_CHECK_IN_SLOTS) != 2 or not (
    0 <= FANGYI_CHECK_IN_SLOTS[0] < FANGYI_CHECK_IN_SLOTS[1] <= FANGYI_CHECK_IN_MISSED_HOUR <= 23
):
    raise ImproperlyConfigured(
        "FANGYI_CHECK_IN_SLOTS must be two hours (morning, afternoon) in order, both no later "
        "than FANGYI_CHECK_IN_MISSED_HOUR (0-23)."
    )

# The hotline's working hours (Beijing time), in which its limits of working days are counted,
# and the least time a same-day ticket gets (one received at 23:30 is not due at midnight).
FANGYI_HOTLINE_WORK_START = os.environ.get("FANGYI_HOTLINE_WORK_START", "09:00")
FANGYI_HOTLINE_WORK_END = os.environ.get("FANGYI_HOTLINE_WORK_END", "18:00")
FANGYI_HOTLINE_SAME_DAY_MINIMUM_HOURS = float(
    os.environ.get("FANGYI_HOTLINE_SAME_DAY_MINIMUM_HOURS", "2")
)
# The most tickets one run of the escalation sweep moves up a level (each level): a backlog
# after the scheduler was away drains over the next runs, oldest first.
FANGYI_HOTLINE_SWEEP_BATCH = int(os.environ.get("FANGYI_HOTLINE_SWEEP_BATCH", "10000"))
# The hour (Beijing time) after which the day's problem lists (急难愁盼清单) are made.
FANGYI_HOTLINE_PROBLEM_LIST_HOUR = int(os.environ.get("FANGYI_HOTLINE_PROBLEM_LIST_HOUR", "7"))
if not 0 <= FANGYI_HOTLINE_PROBLEM_LIST_HOUR <= 23:
    raise ImproperlyConfigured("FANGYI_HOTLINE_PROBLEM_LIST_HOUR must be an hour (0-23).")

# The hour (Beijing time) from which the morning briefings of the day before are made.
FANGYI_BRIEFING_HOUR = int(os.environ.get("FANGYI_BRIEFING_HOUR", "7"))
