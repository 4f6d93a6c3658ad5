"""Settings for tuoyu, configured entirely by environment variables.

Variables (all optional for the demo):
  DATABASE_URL          sqlite:///var/tuoyu.sqlite3 (default) or postgresql://user@host/db
  TUOYU_SECRET_KEY      Django secret; the demo generates one into var/secret.key
  TUOYU_DATA_KEY        base64 32-byte key for personal data (AES-GCM + blind index);
                        the demo generates one into var/data.key
  TUOYU_DATA_KEYS       further data keys, `id:base64,id:base64`, oldest first: the newest
                        encrypts, all decrypt (TUOYU_DATA_KEY is key "0"; the demo reads
                        var/data.keys, `tuoyu rotate_keys --new-key ID` appends to it); set
                        only TUOYU_DATA_KEYS to retire key 0 once `tuoyu rotate_keys` is done
  TUOYU_INDEX_KEY_ID    the key whose index sub-key computes blind indexes (default: the
                        oldest key); change it, then `tuoyu rotate_keys --index`
  TUOYU_PREVIOUS_INDEX_KEY_ID  during that index rotation: the former index key, so that
                        lookups match old and new indexes until every index is recomputed
  TUOYU_AUDIT_KEY       base64 32-byte key for the audit chains' HMAC-SHA256;
                        the demo generates one into var/audit.key
  TUOYU_DEBUG           1 to enable debug pages
  TUOYU_ALLOWED_HOSTS   comma-separated host names
  TUOYU_PUBLIC_BASE_URL base URL printed into receipts' QR codes
  TUOYU_VAR_DIR         where the SQLite database, keys and uploads live (default ./var)
  TUOYU_NODE_MODULES    where npm installed front-end assets (default ./node_modules)
  TUOYU_DISTRICT_CODE   the district this installation serves (default 330703, Jindong)
  TUOYU_POLICY_DIR      the district's own policy YAML (default: src/tuoyu/policy/data)
  TUOYU_LOGIN_MAX_FAILURES / TUOYU_LOGIN_WINDOW_MINUTES   login throttle (5 in 15 minutes)
  TUOYU_LOGIN_MAX_FAILURES_PER_IP  failures from one address (an IPv6 /64) in the window
                        that lock the address, whatever accounts it tried (default 20)
  TUOYU_ACTIVATION_CODE_DAYS  how long an account's activation code is valid (default 30)
  TUOYU_PROXY_IPS       comma-separated IPs/CIDRs of the reverse proxies in front of us (also
                        gunicorn's --forwarded-allow-ips in `make serve`); only their
                        X-Forwarded-For hops are believed, the right-most untrusted hop is the
                        client (tuoyu.core.http.client_ip). Empty (default): REMOTE_ADDR
  TUOYU_STRICT_CATALOGUES 1: an error code or audit action outside the apps' catalogues
                        raises (the tests set it); default 0: it is logged as a warning
  TUOYU_SQLITE_BUSY_TIMEOUT_MS  SQLite only: how long a write waits for another writer's lock
                        (PRAGMA busy_timeout, default 30000 ms) before it is retried
                        (tuoyu.core.db.transient_retry) or answered 503 database_busy
  TUOYU_MAX_REQUEST_BYTES  the largest request body, files included (default 25 MB): larger
                        is 413 request_too_large, from its Content-Length and while it is read
                        (tuoyu.web.limits); above every upload limit (materials 10 MB)
  TUOYU_DATA_UPLOAD_MAX_MEMORY_SIZE  Django's DATA_UPLOAD_MAX_MEMORY_SIZE: the largest body
                        without its files, and the largest API (JSON) body (default 5 MB)
  TUOYU_FILE_UPLOAD_MAX_MEMORY_SIZE  Django's FILE_UPLOAD_MAX_MEMORY_SIZE: an uploaded file
                        above it is spooled to a temporary file, not held in memory (2.5 MB)
  TUOYU_IMPORT_MAX_SECONDS  how long reading one Excel import may take (default 60 s):
                        longer is import_timeout (tuoyu.core.excel)
  TUOYU_LOG_FORMAT      plain (default: lines) or json (one JSON object a line, for a log
                        collector); every record carries the request id (X-Request-ID)
  TUOYU_LOG_FILE        rotating log file, 0600 (default var/log/tuoyu.log); empty: console
                        only (production with several workers: let the service manager
                        collect the console)
  TUOYU_LOG_LEVEL       level of the tuoyu loggers (default INFO; others WARNING)
  TUOYU_SLOW_REQUEST_MS a request slower than this (default 1000 ms) is logged as WARNING
                        "slow request" with its query count (tuoyu.core.observe; every
                        request is logged at INFO with route, status, duration, queries,
                        user id and scope, never a personal value)
  TUOYU_SLOW_JOB_SECONDS a background job run slower than this (default 60 s) is logged
                        as WARNING "slow job" with its query count
  TUOYU_READY_WORKER_SECONDS  /readyz answers 503 when no `tuoyu jobs_run` worker beat within
                        this many seconds (default 120; a worker beats about every 30 s)
  TUOYU_READY_MIN_FREE_MB  /readyz answers 503 below this free space on var/'s disk (500)
  TUOYU_SECURE_COOKIES  1 behind HTTPS: secure cookies, HTTP → HTTPS redirect, HSTS
  TUOYU_HSTS_SECONDS    HSTS max-age when TUOYU_SECURE_COOKIES=1 (default 31536000, a year)

Not from the environment:
  TUOYU_REQUIRE_SECOND_FACTOR  True: accounts that `accounts.rules.requires_second_factor`
                        names (区卫健局, platform operators) log in with a TOTP code. Only the
                        test suite turns it off (conftest.py); production has no switch.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url

from tuoyu.core.logging import logging_config
from tuoyu.core.private import private_dir, private_file, sqlite_database_file
from tuoyu.keys import KEYRING_FILE, data_keyring, load_or_create_key

SRC_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("TUOYU_PROJECT_DIR", SRC_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("TUOYU_VAR_DIR", PROJECT_DIR / "var"))
NODE_MODULES = Path(os.environ.get("TUOYU_NODE_MODULES", PROJECT_DIR / "node_modules"))
# [hardening] point 16: var/ (keys, database, uploads, logs) is created 0700.
private_dir(VAR_DIR)

DEBUG = os.environ.get("TUOYU_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("TUOYU_SECRET_KEY") or load_or_create_key(
    VAR_DIR / "secret.key", kind="secret"
)
# Personal data key: never committed; the demo generates it into var/ on first run.
# [operations] point 2: it is key "0" of a ring; TUOYU_DATA_KEYS (or the demo's
# var/data.keys) adds newer keys, the newest encrypting (tuoyu.core.crypto). Production that
# configured only TUOYU_DATA_KEYS (key 0 retired after a rotation) gets no key 0.
_DATA_KEYS = os.environ.get("TUOYU_DATA_KEYS", "")
TUOYU_DATA_KEYS_FILE = VAR_DIR / KEYRING_FILE
if not _DATA_KEYS and TUOYU_DATA_KEYS_FILE.exists():
    _DATA_KEYS = TUOYU_DATA_KEYS_FILE.read_text()
TUOYU_DATA_KEY = os.environ.get("TUOYU_DATA_KEY") or (
    ""
    if os.environ.get("TUOYU_DATA_KEYS")
    else load_or_create_key(VAR_DIR / "data.key", kind="data")
)
TUOYU_DATA_KEYRING = data_keyring(legacy=TUOYU_DATA_KEY, spec=_DATA_KEYS)
# The key whose index sub-key computes blind indexes (default: the oldest), and during an
# index-key rotation the one rotated away from (lookups match both until it is done).
TUOYU_INDEX_KEY_ID = os.environ.get("TUOYU_INDEX_KEY_ID", "")
TUOYU_PREVIOUS_INDEX_KEY_ID = os.environ.get("TUOYU_PREVIOUS_INDEX_KEY_ID", "")
# Audit chain key ([house] point 6): HMAC of every audit event; generated like the data key.
TUOYU_AUDIT_KEY = os.environ.get("TUOYU_AUDIT_KEY") or load_or_create_key(
    VAR_DIR / "audit.key", kind="audit"
)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("TUOYU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
TUOYU_PUBLIC_BASE_URL = os.environ.get("TUOYU_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
TUOYU_DISTRICT_CODE = os.environ.get("TUOYU_DISTRICT_CODE", "330703")

INSTALLED_APPS = [
    # The admin site of tuoyu.accounts.admin_site: its login is /login/, operators only.
    "tuoyu.accounts.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    # Second factor (TOTP, recovery codes) for the accounts of accounts.rules.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The project's apps in floor order, lowest first (docs/architecture.md): the seeding
    # runner and the apps' ready() registrations follow this order.
    "tuoyu.core",
    "tuoyu.web",
    "tuoyu.policy",
    "tuoyu.audit",
    "tuoyu.regions",
    "tuoyu.accounts",
    "tuoyu.jobs",
    "tuoyu.institutions",
    "tuoyu.filings",
    "tuoyu.workforce",
    "tuoyu.children",
    "tuoyu.supervision",
    "tuoyu.subsidies",
]

MIDDLEWARE = [
    # [hardening] point 13: first, so that every response (a 500 of a middleware below
    # included) and every log record carries the request id.
    "tuoyu.audit.middleware.RequestContextMiddleware",
    # [operations] point 6: one log record per request (route, status, duration, queries,
    # user id, scope), WARNING when slow; right after the request id so it times the rest.
    "tuoyu.core.observe.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # [hardening] point 15: CSP and Cache-Control, after the cookies of those below are set.
    "tuoyu.web.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # [hardening] point 11: size caps and no anonymous body, before anything reads a body.
    "tuoyu.web.limits.RequestSizeLimitMiddleware",
    "tuoyu.web.limits.AnonymousBodyMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tuoyu.web.nul.RejectNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tuoyu.accounts.middleware.SecondFactorMiddleware",
    "tuoyu.accounts.middleware.PasswordChangeMiddleware",
    "tuoyu.web.middleware.DomainErrorMiddleware",
]

# Background work (tuoyu.jobs): tasks are rows in the database, run by `tuoyu jobs_run`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

ROOT_URLCONF = "tuoyu.urls"
WSGI_APPLICATION = "tuoyu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tuoyu.web.context_processors.navigation",
                "tuoyu.regions.context_processors.branding",
            ],
        },
    }
]

# Persistent connections ([scale] #10): a worker keeps its connection for TUOYU_CONN_MAX_AGE
# seconds (default 60; 0 closes it after every request), checked before a request reuses it
# (CONN_HEALTH_CHECKS). Reconnecting costs a request more than the search itself: SQLite
# re-reads the schema and starts with a cold page cache, PostgreSQL forks a backend
# (measured by `python -m bench search`, docs/operations.md). runserver closes its
# connections after each request whatever the setting.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tuoyu.sqlite3'}",
        conn_max_age=int(os.environ.get("TUOYU_CONN_MAX_AGE", "") or 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE takes the write lock at
    # BEGIN so two writers never deadlock upgrading a read lock. A writer waits for the lock
    # up to the busy timeout ([hardening] point 14: longer than any write holds it), then
    # tuoyu.core.db.transient_retry runs the transaction again or answers 503.
    _busy_ms = max(int(os.environ.get("TUOYU_SQLITE_BUSY_TIMEOUT_MS", "") or 30000), 0)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            f" PRAGMA busy_timeout={_busy_ms};"
        ),
        "timeout": _busy_ms / 1000,  # the same wait while connecting (sqlite3.connect)
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        os.environ.get("TUOYU_TEST_SQLITE_NAME", "") or None
    )
    # [hardening] point 16: the database file is created 0600 before SQLite opens it (its
    # -wal and -shm files follow its mode); an existing one loses group and other rights.
    if _sqlite_file := sqlite_database_file(DATABASES["default"]["NAME"]):
        private_file(_sqlite_file)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # [accounts-ux] #9 point 1: passwords people set are at least 10 characters.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages come from npm at install time (package.json); only the files we use
# are exposed, under vendor/ (tuoyu.web.finders).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "tuoyu.web.finders.NodeModulesFinder",
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "staticfiles": {
        "BACKEND": os.environ.get(
            "TUOYU_STATICFILES_STORAGE",
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# [hardening] point 11: request and file sizes (tuoyu.web.limits enforces the total).
TUOYU_MAX_REQUEST_BYTES = int(os.environ.get("TUOYU_MAX_REQUEST_BYTES", str(25 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("TUOYU_DATA_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024))
)
FILE_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("TUOYU_FILE_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440))
)
TUOYU_IMPORT_MAX_SECONDS = float(os.environ.get("TUOYU_IMPORT_MAX_SECONDS", "60"))
# [hardening] point 16: uploaded documents are readable by the service's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SECURE = os.environ.get("TUOYU_SECURE_COOKIES", "0") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# [hardening] point 15: behind HTTPS (TUOYU_SECURE_COOKIES=1) plain HTTP is redirected and
# browsers are told to stay on HTTPS. gunicorn (`make serve`) sets the scheme from the
# trusted proxies' X-Forwarded-Proto, so no SECURE_PROXY_SSL_HEADER is needed.
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = (
    int(os.environ.get("TUOYU_HSTS_SECONDS", "31536000")) if SESSION_COOKIE_SECURE else 0
)

# [hardening] point 13: console and var/log/tuoyu.log (0600, rotating), plain lines or JSON
# lines, each record with its request id; Django's 4xx/5xx (with tracebacks) included.
TUOYU_LOG_FORMAT = os.environ.get("TUOYU_LOG_FORMAT", "plain")
if TUOYU_LOG_FORMAT not in ("plain", "json"):
    raise ValueError(f"TUOYU_LOG_FORMAT 应为 plain 或 json，而不是 {TUOYU_LOG_FORMAT!r}")
TUOYU_LOG_FILE = os.environ.get("TUOYU_LOG_FILE", str(VAR_DIR / "log" / "tuoyu.log"))
LOGGING = logging_config(
    fmt=TUOYU_LOG_FORMAT, file=TUOYU_LOG_FILE, level=os.environ.get("TUOYU_LOG_LEVEL", "INFO")
)

# Login throttling (issue: lock after 5 failures in 15 minutes, per account and per IP).
TUOYU_LOGIN_MAX_FAILURES = int(os.environ.get("TUOYU_LOGIN_MAX_FAILURES", "5"))
TUOYU_LOGIN_WINDOW_MINUTES = int(os.environ.get("TUOYU_LOGIN_WINDOW_MINUTES", "15"))
# [hardening] point 3: a success never resets the address's count, so a shared address (an
# office behind one NAT) gets a larger allowance than one account.
TUOYU_LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("TUOYU_LOGIN_MAX_FAILURES_PER_IP", "20"))
# [accounts-ux] #9 point 1: an activation code (handover letter) is valid this many days.
TUOYU_ACTIVATION_CODE_DAYS = int(os.environ.get("TUOYU_ACTIVATION_CODE_DAYS", "30"))

# [hardening] point 4: the reverse proxies whose X-Forwarded-For hops are believed.
TUOYU_PROXY_IPS = [p.strip() for p in os.environ.get("TUOYU_PROXY_IPS", "").split(",") if p.strip()]
for _proxy in TUOYU_PROXY_IPS:
    ipaddress.ip_network(_proxy, strict=False)  # a typo stops the start, not every request

# [hardening] point 5: two factors for the accounts accounts.rules names (MLPS level 3). Not
# an environment variable: only the test suite switches it off.
TUOYU_REQUIRE_SECOND_FACTOR = True
OTP_TOTP_ISSUER = "托育服务监管平台"
# accounts throttles codes like passwords (per account and address); the devices' own
# exponential back-off would only make a right code after two typos fail unexplained.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# [operations] point 6: requests and jobs slower than this are logged as WARNING.
TUOYU_SLOW_REQUEST_MS = float(os.environ.get("TUOYU_SLOW_REQUEST_MS", "1000"))
TUOYU_SLOW_JOB_SECONDS = float(os.environ.get("TUOYU_SLOW_JOB_SECONDS", "60"))

# [operations] point 4: /readyz fails when no worker beat within this many seconds (the
# worker beats about every 30 s) or the var/ disk has less free space than this.
TUOYU_READY_WORKER_SECONDS = int(os.environ.get("TUOYU_READY_WORKER_SECONDS", "120"))
TUOYU_READY_MIN_FREE_MB = int(os.environ.get("TUOYU_READY_MIN_FREE_MB", "500"))
# The load balancer probes over plain HTTP inside the network: no redirect to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# [house] point 5: codes and actions come from the apps' catalogues (tuoyu.core.catalogue).
TUOYU_STRICT_CATALOGUES = os.environ.get("TUOYU_STRICT_CATALOGUES", "0") == "1"
