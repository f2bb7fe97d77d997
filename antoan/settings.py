"""Settings for An Toàn, read from the environment.

Profiles (``ANTOAN_ENV``):
- ``production`` (default): nothing insecure by default; ``ANTOAN_SECRET_KEY`` and
  ``DATABASE_URL`` are required, ``DEBUG`` is off, cookies are secure, HSTS is on.
- ``local``: what ``make run`` uses: SQLite in ``var/``, a random secret generated once and kept
  in ``var/secret_key``, ``DEBUG`` on.
- ``test``: what the test suite uses.
"""

from __future__ import annotations

import base64
import secrets
from datetime import date, timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from antoan.env import (
    database_url,
    env_bool,
    env_int,
    env_json,
    env_list,
    env_str,
    field_keys,
    index_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ANTOAN_VAR_DIR", str(BASE_DIR / "var")))

# `make run` marks a development checkout with var/profile, so later `manage.py` commands there
# use the local profile too; a server never has that file and defaults to production.
_PROFILE_FILE = VAR_DIR / "profile"
ANTOAN_ENV = env_str(
    "ANTOAN_ENV", _PROFILE_FILE.read_text().strip() if _PROFILE_FILE.exists() else "production"
)
if ANTOAN_ENV not in {"production", "local", "test"}:
    raise ImproperlyConfigured(f"ANTOAN_ENV={ANTOAN_ENV!r}: use production, local or test.")
PRODUCTION = ANTOAN_ENV == "production"


def _local_secret_key() -> str:
    """Generate the local profile's secret once and keep it, so sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


# What a production process must be given and was not. The app refuses to serve without it
# (antoan/wsgi.py and `check --deploy`: antoan.core.checks), and Django refuses any
# use of an empty SECRET_KEY; commands that only read the code (makemigrations --check,
# makemessages) still run on a bare checkout.
ANTOAN_MISSING_SETTINGS: list[str] = []

if PRODUCTION:
    SECRET_KEY = env_str("ANTOAN_SECRET_KEY", "")
    if not SECRET_KEY:
        ANTOAN_MISSING_SETTINGS.append("ANTOAN_SECRET_KEY")
elif ANTOAN_ENV == "local":
    SECRET_KEY = env_str("ANTOAN_SECRET_KEY", "") or _local_secret_key()
else:
    SECRET_KEY = secrets.token_urlsafe(64)


def _local_field_keys() -> tuple[list[str], str]:
    """The local profile's encryption and index keys, generated once and kept in var/."""
    path = VAR_DIR / "field_keys"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        field = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        index = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        path.write_text(f"v1:{field}\n{index}\n")
        path.chmod(0o600)
    field_line, index_line = path.read_text().split()[:2]
    return [field_line], index_line


# Encryption of identifying fields (see antoan/core/crypto.py). The first key encrypts.
if PRODUCTION:
    ANTOAN_FIELD_KEYS = env_list("ANTOAN_FIELD_KEYS", [])
    ANTOAN_INDEX_KEY = env_str("ANTOAN_INDEX_KEY", "")
    # A key that is there but malformed stops the process now, not at the first case.
    if ANTOAN_FIELD_KEYS:
        field_keys("ANTOAN_FIELD_KEYS", ANTOAN_FIELD_KEYS)
    if ANTOAN_INDEX_KEY:
        index_key("ANTOAN_INDEX_KEY", ANTOAN_INDEX_KEY)
    ANTOAN_MISSING_SETTINGS += [
        name
        for name, value in (
            ("ANTOAN_FIELD_KEYS", ANTOAN_FIELD_KEYS),
            ("ANTOAN_INDEX_KEY", ANTOAN_INDEX_KEY),
        )
        if not value
    ]
elif ANTOAN_ENV == "local":
    ANTOAN_FIELD_KEYS, ANTOAN_INDEX_KEY = _local_field_keys()
else:
    # Fresh keys for each test process, unless given: the load test (bench/load.py) gives the
    # bench process and the server it starts the same keys, so both read the same rows.
    ANTOAN_FIELD_KEYS = env_list("ANTOAN_FIELD_KEYS", []) or [
        f"t1:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}"
    ]
    ANTOAN_INDEX_KEY = (
        env_str("ANTOAN_INDEX_KEY", "")
        or base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    )

DEBUG = env_bool("ANTOAN_DEBUG", ANTOAN_ENV == "local")
ALLOWED_HOSTS = env_list(
    "ANTOAN_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("ANTOAN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # First: its runserver serves the ASGI application, websockets of the web chat included
    # (`make run`); production runs daphne itself (deploy/systemd/antoan-chat.service).
    "daphne",
    "antoan.core.apps.AntoanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "antoan.core",
    "antoan.accounts",
    "antoan.places",
    "antoan.cases",
    "antoan.referrals",
    "antoan.hotline",
    "antoan.programme",
    "antoan.indicators",
    "antoan.privacy",
    "antoan.health",
    "antoan.reports",
    "antoan.api",
    "antoan.public",
    "antoan.jobs",
    "django_tasks",
    "django_tasks_db",
    "channels",
]

# Long work runs as tasks (docs/jobs.md): the database backend, so queued work survives a
# restart; `manage.py db_worker` runs it (`make run` starts one next to runserver).
# Queues: "default" (jobs, docs/jobs.md) and "figures" (dashboard figures, docs/indicators.md).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "figures"],
    }
}

MIDDLEWARE = [
    "antoan.core.metrics.MetricsMiddleware",
    "antoan.core.middleware.RequestIdMiddleware",
    # Errors under /api/ stay JSON even where Django would answer an HTML page (DEBUG on).
    "antoan.api.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "antoan.core.middleware.ApiRequiresHttpsMiddleware",
    # After WhiteNoise (inserted above it in production): static files stay cacheable.
    "antoan.core.middleware.NoStoreMiddleware",
    "antoan.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "antoan.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "antoan.core.logs.LogContextMiddleware",
    "antoan.accounts.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "antoan.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "antoan.core.middleware.EncryptedDataIntegrityMiddleware",
    # Innermost: sees every view's answer, pages and API alike.
    "antoan.core.middleware.RefusalAuditMiddleware",
]

if PRODUCTION:
    # Static files from the app server itself (runserver serves them in the local profile).
    MIDDLEWARE.insert(3, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "antoan.urls"
WSGI_APPLICATION = "antoan.wsgi.application"
# The same site as ASGI, with the web chat's websockets (antoan/asgi.py, docs/hotline.md).
ASGI_APPLICATION = "antoan.asgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "antoan.core.context_processors.navigation",
            ],
        },
    },
]

# Forms: Django's templates, with drop-down lists written in Python (antoan/core/form_renderer.py).
FORM_RENDERER = "antoan.core.form_renderer.FormRenderer"

# Database: PostgreSQL in production (DATABASE_URL), SQLite in var/ for make run and tests.
_default_db = "" if PRODUCTION else f"sqlite:///{VAR_DIR / 'antoan.sqlite3'}"
_database_url = env_str("DATABASE_URL", _default_db)
if _database_url:
    DATABASES = {"default": database_url("DATABASE_URL", _database_url)}
else:
    ANTOAN_MISSING_SETTINGS.append("DATABASE_URL")
    DATABASES = {"default": {"ENGINE": "django.db.backends.dummy"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the browser-test server read while a test writes.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A PostgreSQL streaming replica for the dashboards' and exports' reads (antoan/core/routers.py).
# The test profile always has the alias, on the test database itself, for the router's tests.
_replica_url = env_str("ANTOAN_REPLICA_DATABASE_URL", "")
if _replica_url:
    DATABASES["replica"] = {
        **database_url("ANTOAN_REPLICA_DATABASE_URL", _replica_url),
        "TEST": {"MIRROR": "default"},
    }
elif ANTOAN_ENV == "test" and _database_url:
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
ANTOAN_REPLICA_READS = env_bool("ANTOAN_REPLICA_READS", bool(_replica_url))
# Memory for each hash or sort of a national indicator query (PostgreSQL's work_mem, set for
# that query only): enough to hash the national tables' case ids (docs/performance.md). A
# province's queries keep the server's default, so that they probe through the indexes.
ANTOAN_INDICATOR_WORK_MEM = env_str("ANTOAN_INDICATOR_WORK_MEM", "64MB")
DATABASE_ROUTERS = ["antoan.core.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Audit events are inserted unsealed and chained in batches by the sealer service while it runs,
# else by each writer after its commit ("auto", PostgreSQL); always by the writer after its
# commit ("after_commit"); only by `manage.py seal_audit --every` ("background"); or at once
# inside the writer's transaction ("inline": SQLite, where there is one writer at a time
# anyway, and the test profile, whose test transactions never commit). verify reports an event
# left unsealed longer than AUDIT_UNSEALED_MAX_SECONDS. See docs/audit.md, "Sealing".
_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
AUDIT_SEALING = env_str(
    "ANTOAN_AUDIT_SEALING", "inline" if _SQLITE or ANTOAN_ENV == "test" else "auto"
)
if AUDIT_SEALING not in {"inline", "auto", "after_commit", "background"}:
    raise ImproperlyConfigured(
        f"ANTOAN_AUDIT_SEALING={AUDIT_SEALING!r}: use auto, inline, after_commit or background."
    )
AUDIT_UNSEALED_MAX_SECONDS = env_int("ANTOAN_AUDIT_UNSEALED_MAX_SECONDS", 5)

# Queries kept as SQL per shape (antoan/core/prepared.py) are also built again with their real
# values, and any difference fails: the test suite turns it on (conftest.py), so every test of
# the case list checks its shapes. Off elsewhere: the bench measures the kept SQL alone.
PREPARED_QUERIES_CHECK = env_bool("ANTOAN_PREPARED_QUERIES_CHECK", False)

# Passwords: argon2 first; older hashes are upgraded on the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ANTOAN_ENV == "test":
    # Argon2 at production cost makes a large suite crawl; the hasher choice is tested apart.
    PASSWORD_HASHERS = ["antoan.accounts.hashers.FastArgon2PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "antoan.accounts.validators.MinimumLength",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "antoan.accounts.validators.ContextWordsValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout: keyed on username + IP, so an attacker elsewhere cannot lock a real user out.
AXES_FAILURE_LIMIT = env_int("ANTOAN_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ANTOAN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Each attempt during a lockout restarts the cool-off (docs/security.md says so to users).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = env_list("ANTOAN_IP_HEADERS", ["REMOTE_ADDR"])

# Two-factor authentication: required for roles that can see case data.
ANTOAN_REQUIRE_2FA = env_bool("ANTOAN_REQUIRE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = "An Toàn"

# Sessions: an idle timeout and an absolute lifetime, both enforced server-side.
ANTOAN_SESSION_IDLE_MINUTES = env_int("ANTOAN_SESSION_IDLE_MINUTES", 30, minimum=1)
ANTOAN_SESSION_MAX_HOURS = env_int("ANTOAN_SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = ANTOAN_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A session cookie, not a year-long one: a visitor who only opened the login page leaves no
# lasting trace of An Toàn on a shared phone.
CSRF_COOKIE_AGE = None

# Case numbers: <prefix>-<year>-<6 digits>, per province.
ANTOAN_CASE_PREFIX = env_str("ANTOAN_CASE_PREFIX", "HY")
# Duplicate checks (one per intake) a user may run in an hour: enough for a busy hotline shift,
# too few to test a list of phone numbers for survivors. Counted in the cache (docs/security.md).
ANTOAN_DUPLICATE_CHECKS_PER_HOUR = env_int("ANTOAN_DUPLICATE_CHECKS_PER_HOUR", 60, minimum=1)
# Closed cases are anonymised this many years after closure by `manage.py apply_retention`,
# unless on legal hold (docs/privacy/retention.md).
ANTOAN_RETENTION_YEARS = env_int("ANTOAN_RETENTION_YEARS", 5, minimum=1)
# Unsubmitted form drafts are deleted this many days after their last save, by
# `manage.py purge_form_drafts` and `apply_retention` (docs/forms.md).
ANTOAN_DRAFT_RETENTION_DAYS = env_int("ANTOAN_DRAFT_RETENTION_DAYS", 7, minimum=1)
# A finished job's files (an export, a report, an import's upload and problem list) are
# deleted this many days after the job finished, by `apply_retention` (docs/jobs.md); the
# download answers "expired" from then on even before the purge runs.
ANTOAN_JOB_RESULT_DAYS = env_int("ANTOAN_JOB_RESULT_DAYS", 7, minimum=1)
# Figures that leave case scope hide counts from 1 to this minus one (docs/indicators.md).
ANTOAN_SUPPRESS_BELOW = env_int("ANTOAN_SUPPRESS_BELOW", 5, minimum=2)
# Computed dashboard figures are served from the cache for this many seconds (0: never kept;
# docs/indicators.md, "Cached figures").
ANTOAN_DASHBOARD_CACHE_SECONDS = env_int("ANTOAN_DASHBOARD_CACHE_SECONDS", 300, minimum=0)
# How long a view waits for the figures another view is computing before computing its own.
ANTOAN_DASHBOARD_WAIT_SECONDS = env_int("ANTOAN_DASHBOARD_WAIT_SECONDS", 30, minimum=0)
# Figures missing from the cache are computed by the task worker while the page says so, and
# figures older than ANTOAN_DASHBOARD_CACHE_SECONDS are shown (with their time) for this many
# seconds more while the worker computes them again (docs/indicators.md, "Cached figures").
# The test profile computes them in the request, as without a worker (tests of the worker's
# path turn it on).
ANTOAN_DASHBOARD_BACKGROUND = env_bool("ANTOAN_DASHBOARD_BACKGROUND", ANTOAN_ENV != "test")
ANTOAN_DASHBOARD_STALE_SECONDS = env_int("ANTOAN_DASHBOARD_STALE_SECONDS", 3600, minimum=0)
# Codes of the agencies whose analysts, managers and coordinators see the national dashboard
# (the ministry's departments; comma-separated). Empty: nobody (docs/indicators.md).
ANTOAN_NATIONAL_AGENCIES = [
    code.strip() for code in env_str("ANTOAN_NATIONAL_AGENCIES", "").split(",") if code.strip()
]
# The reporting year runs from the first day of this month of the year before (plan 64/KH-UBND:
# reports on the twelve months to 30 November, due 10 December).
ANTOAN_REPORTING_START_MONTH = env_int("ANTOAN_REPORTING_START_MONTH", 12, minimum=1)
# Where users reach An Toàn: the start of the links in emails (reminders are sent by a
# scheduled command, which has no request to take the host from).
ANTOAN_SITE_URL = env_str("ANTOAN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if ANTOAN_REPORTING_START_MONTH > 12:
    raise ImproperlyConfigured("ANTOAN_REPORTING_START_MONTH is a month: 1 to 12.")
# Where trend lines start: the first year of plan 64/KH-UBND.
ANTOAN_TREND_START_YEAR = env_int("ANTOAN_TREND_START_YEAR", 2021, minimum=2000)

# Referrals: how long the addressee has to accept or decline, by urgency (docs/referrals.md).
ANTOAN_REFERRAL_SLA_IMMEDIATE_MINUTES = env_int(
    "ANTOAN_REFERRAL_SLA_IMMEDIATE_MINUTES", 60, minimum=1
)
ANTOAN_REFERRAL_SLA_HIGH_HOURS = env_int("ANTOAN_REFERRAL_SLA_HIGH_HOURS", 24, minimum=1)
ANTOAN_REFERRAL_SLA_NORMAL_WORKING_DAYS = env_int(
    "ANTOAN_REFERRAL_SLA_NORMAL_WORKING_DAYS", 3, minimum=1
)

# The working-day calendar (antoan/core/workdays.py): public holidays and Tết come from the
# ``holidays`` package; these add the days off and the Saturdays worked in exchange that the
# government announces and the package does not know yet. ISO dates, comma separated.
ANTOAN_EXTRA_DAYS_OFF = env_list("ANTOAN_EXTRA_DAYS_OFF", [])
ANTOAN_EXTRA_WORKING_DAYS = env_list("ANTOAN_EXTRA_WORKING_DAYS", [])
for _name in ("ANTOAN_EXTRA_DAYS_OFF", "ANTOAN_EXTRA_WORKING_DAYS"):
    for _item in globals()[_name]:
        try:
            date.fromisoformat(_item)
        except ValueError as _exc:
            raise ImproperlyConfigured(
                f"{_name}: {_item!r} is not an ISO date (YYYY-MM-DD)."
            ) from _exc

# API tokens
ANTOAN_TOKEN_HOURS = env_int("ANTOAN_TOKEN_HOURS", 8, minimum=1)

# Step-up: exports of rows, role changes, consent overrides, two-factor resets ask for the
# password or a code again unless one was given within this many minutes (docs/security.md).
ANTOAN_REAUTH_MINUTES = env_int("ANTOAN_REAUTH_MINUTES", 5, minimum=1)
# Exports per user in the last hour: above the first, auditors get an alert; above the second,
# further exports are refused until the hour has rolled on.
ANTOAN_EXPORT_ALERT_PER_HOUR = env_int("ANTOAN_EXPORT_ALERT_PER_HOUR", 20, minimum=1)
ANTOAN_EXPORT_LIMIT_PER_HOUR = env_int("ANTOAN_EXPORT_LIMIT_PER_HOUR", 60, minimum=1)
if ANTOAN_EXPORT_LIMIT_PER_HOUR < ANTOAN_EXPORT_ALERT_PER_HOUR:
    raise ImproperlyConfigured(
        "ANTOAN_EXPORT_LIMIT_PER_HOUR must be at least ANTOAN_EXPORT_ALERT_PER_HOUR."
    )

# Security headers; production must sit behind HTTPS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("ANTOAN_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("ANTOAN_SSL_REDIRECT", PRODUCTION)
# Pages redirect to HTTPS; the API refuses plain HTTP instead (ApiRequiresHttpsMiddleware).
SECURE_REDIRECT_EXEMPT = [r"^api(/|$)"]
if SESSION_COOKIE_SECURE:
    # __Host- cookies are only accepted over HTTPS, for this exact host and path /: no
    # subdomain or plain-HTTP page can plant or overwrite them.
    SESSION_COOKIE_NAME = "__Host-antoan_session"
    CSRF_COOKIE_NAME = "__Host-antoan_csrf"
    LANGUAGE_COOKIE_NAME = "__Host-antoan_lang"
SECURE_HSTS_SECONDS = env_int("ANTOAN_HSTS_SECONDS", 31536000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if env_bool("ANTOAN_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Request size limits: oversized bodies are refused before parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("ANTOAN_MAX_BODY_BYTES", 1_048_576, minimum=1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# Language and time: Vietnamese first, dd/mm/yyyy, Asia/Ho_Chi_Minh, stored in UTC.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["antoan.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Third-party front-end files come from npm's node_modules (installed by `make`), never a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
# Uploaded files go through Django's storage API only, so an S3-compatible object store can
# replace the disk when several app servers run (docs/operations/scaling.md): e.g.
# ANTOAN_FILE_STORAGE=storages.backends.s3.S3Storage with django-storages installed, and its
# settings as JSON in ANTOAN_FILE_STORAGE_OPTIONS.
STORAGES = {
    "default": {
        "BACKEND": env_str("ANTOAN_FILE_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env_json("ANTOAN_FILE_STORAGE_OPTIONS", {}),
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded evidence. Never served by the web server: files go out only through views that
# check who may see the activity they belong to.
MEDIA_ROOT = Path(env_str("ANTOAN_MEDIA_ROOT", str(VAR_DIR / "media")))
# Programme uploads: evidence files and filled-in Excel templates.
ANTOAN_EVIDENCE_MAX_BYTES = env_int("ANTOAN_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# What one user may upload in a rolling 30 days (files, bytes): a stolen account or a runaway
# script fills neither the disk nor the backups.
ANTOAN_UPLOAD_QUOTA_FILES = env_int("ANTOAN_UPLOAD_QUOTA_FILES", 300, minimum=1)
ANTOAN_UPLOAD_QUOTA_BYTES = env_int(
    "ANTOAN_UPLOAD_QUOTA_BYTES", 1024 * 1024 * 1024, minimum=ANTOAN_EVIDENCE_MAX_BYTES
)
ANTOAN_IMPORT_MAX_BYTES = env_int("ANTOAN_IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Imports run as a job in the worker (docs/jobs.md), so a file can be large.
ANTOAN_IMPORT_MAX_ROWS = env_int("ANTOAN_IMPORT_MAX_ROWS", 100_000, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "antoan.api.authentication.BearerTokenAuthentication",
        "antoan.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["antoan.core.permissions.DenyAll"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["antoan.api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "antoan.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("ANTOAN_TOKEN_RATE", "20/min"),
        # Web chats a client address may open (docs/hotline.md "Web chat").
        "chat_start": env_str("ANTOAN_CHAT_START_RATE", "5/hour"),
        # Messages, polls and ends of one client address, all its chats together.
        "chat": env_str("ANTOAN_CHAT_RATE", "120/min"),
        # Requests a PBX or gateway address may make to the webhooks (per client address).
        "hotline_webhook": env_str("ANTOAN_WEBHOOK_RATE", "600/min"),
    },
    # Throttles key on the client address; trust X-Forwarded-For only from known proxies.
    "NUM_PROXIES": env_int("ANTOAN_NUM_PROXIES", 0, minimum=0),
}
SPECTACULAR_SETTINGS = {
    # Vietnamese, like the rest of the site; field names and codes stay English (docs/api.md).
    "TITLE": "API của hệ thống An Toàn",
    "DESCRIPTION": (
        "API phiên bản 1 của hệ thống An Toàn. Tên trường, mã và quy ước được giữ cố định "
        "(xem docs/api.md): chỉ thêm trường mới, không đổi tên."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_PERMISSIONS": ["antoan.core.permissions.HasPermission"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "antoan.api.schema.document_errors",
    ],
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("REDIS_URL", ""):
    if not env_str("REDIS_URL").startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://.")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("REDIS_URL"),
        }
    }
    # Sessions read from the shared cache and written through to the database, which stays
    # the record (a restart or an eviction costs one read): one query fewer on every page
    # (docs/performance.md). Without a shared cache, sessions stay in the database only.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# The web chat's channel layer: Redis between processes when REDIS_URL is set (production),
# process memory otherwise (`make run`, the tests: one process serves both sides of a chat).
CHANNEL_LAYERS: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
}
if env_str("REDIS_URL", ""):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [env_str("REDIS_URL")], "prefix": "antoan-chat"},
        }
    }

EMAIL_BACKEND = env_str(
    "ANTOAN_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("ANTOAN_FROM_EMAIL", "antoan@localhost")

# Who may read /metrics (Prometheus): client addresses, as read through ANTOAN_IP_HEADERS.
ANTOAN_METRICS_ALLOWED_IPS = env_list("ANTOAN_METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])

# One JSON object a line in production (docs/operations/monitoring.md); plain text locally.
ANTOAN_LOG_FORMAT = env_str("ANTOAN_LOG_FORMAT", "json" if PRODUCTION else "text")
if ANTOAN_LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("ANTOAN_LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "antoan.core.logs.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "antoan.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            "formatter": ANTOAN_LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("ANTOAN_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Lockouts are handled by our own login views and token endpoint (clear, translated messages),
# not by axes' middleware.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]

# The public "Tìm hỗ trợ" page (antoan/public, docs/public.md). The quick-exit button sends the
# visitor here, replacing the page in the browser's history: a neutral site (the national
# weather service by default), nothing that hints at violence or help.
ANTOAN_QUICK_EXIT_URL = env_str("ANTOAN_QUICK_EXIT_URL", "https://nchmf.gov.vn/")
if not ANTOAN_QUICK_EXIT_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("ANTOAN_QUICK_EXIT_URL must be an http(s):// address.")
# Agencies (codes) whose directory number the page shows as the hotline. Empty: every agency
# with a hotline operator today.
ANTOAN_PUBLIC_HOTLINE_AGENCIES = env_list("ANTOAN_PUBLIC_HOTLINE_AGENCIES", [])

# Hotline contacts (docs/hotline.md). A contact waiting in the queue longer than this is
# escalated to the hotline's supervisors.
ANTOAN_CONTACT_ESCALATE_SECONDS = env_int("ANTOAN_CONTACT_ESCALATE_SECONDS", 120, minimum=10)
# A web chat whose visitor's tab has made no request for this long is ended (docs/hotline.md).
ANTOAN_CHAT_VISITOR_GONE_SECONDS = env_int("ANTOAN_CHAT_VISITOR_GONE_SECONDS", 600, minimum=60)
# Where operators' replies to SMS and Zalo go out: a class of antoan.hotline.gateways.
ANTOAN_MESSAGE_GATEWAY = env_str("ANTOAN_MESSAGE_GATEWAY", "antoan.hotline.gateways.ConsoleGateway")
# The web chat (docs/hotline.md "Web chat"): the hotline (agency code) that receives the chats
# of the public page (empty: the first agency of the page's hotlines), and how many chats may
# wait in its queue at once before new ones are asked to call instead.
ANTOAN_CHAT_HOTLINE = env_str("ANTOAN_CHAT_HOTLINE", "")
ANTOAN_CHAT_MAX_WAITING = env_int("ANTOAN_CHAT_MAX_WAITING", 20, minimum=1)

# Telephony and message webhooks (docs/hotline-telephony.md). Shared secrets with the PBX and
# the SMS/Zalo gateway (comma-separated: the first signs outgoing requests, any verifies, so a
# secret can be rotated); each at least 32 characters. Empty: the endpoint answers 404
# `not_configured`. The test profile gets random ones, as for SECRET_KEY.
ANTOAN_TELEPHONY_SECRET = env_str(
    "ANTOAN_TELEPHONY_SECRET", secrets.token_urlsafe(32) if ANTOAN_ENV == "test" else ""
)
ANTOAN_MESSAGES_SECRET = env_str(
    "ANTOAN_MESSAGES_SECRET", secrets.token_urlsafe(32) if ANTOAN_ENV == "test" else ""
)
for _name, _value in (
    ("ANTOAN_TELEPHONY_SECRET", ANTOAN_TELEPHONY_SECRET),
    ("ANTOAN_MESSAGES_SECRET", ANTOAN_MESSAGES_SECRET),
):
    if _value and any(len(item.strip()) < 32 for item in _value.split(",")):
        raise ImproperlyConfigured(f"{_name}: each secret must be at least 32 characters.")
# Which hotline agency (code) a line belongs to: the number the person dialled or wrote to (or
# the Zalo OA id) → agency code; "*" is every other line. The demo's hotline outside production.
ANTOAN_HOTLINE_LINES = env_json("ANTOAN_HOTLINE_LINES", {} if PRODUCTION else {"*": "ctxh-tinh"})
if not all(
    isinstance(key, str) and isinstance(value, str) and key and value
    for key, value in ANTOAN_HOTLINE_LINES.items()
):
    raise ImproperlyConfigured("ANTOAN_HOTLINE_LINES maps line (text) → agency code (text).")
# Where the HTTP gateway (antoan.hotline.gateways.HttpGateway) posts operators' replies.
ANTOAN_MESSAGE_GATEWAY_URL = env_str("ANTOAN_MESSAGE_GATEWAY_URL", "")
if ANTOAN_MESSAGE_GATEWAY_URL and not ANTOAN_MESSAGE_GATEWAY_URL.startswith(
    ("https://", "http://")
):
    raise ImproperlyConfigured("ANTOAN_MESSAGE_GATEWAY_URL must be an http(s):// address.")
