"""Settings for tuoyu, configured entirely by environment variables.

Variables (all optional for the demo):
  DATABASE_URL          sqlite:///var/tuoyu.sqlite3 (default) or postgresql://user@host/db
  TUOYU_SECRET_KEY      Django secret; the demo generates one into var/secret.key
  TUOYU_DATA_KEY        base64 32-byte key for personal data (AES-GCM + blind index);
                        the demo generates one into var/data.key
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
  TUOYU_STRICT_CATALOGUES 1: an error code or audit action outside the apps' catalogues
                        raises (the tests set it); default 0: it is logged as a warning
"""

import os
from pathlib import Path

import dj_database_url

from tuoyu.keys import load_or_create_key

SRC_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("TUOYU_PROJECT_DIR", SRC_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("TUOYU_VAR_DIR", PROJECT_DIR / "var"))
NODE_MODULES = Path(os.environ.get("TUOYU_NODE_MODULES", PROJECT_DIR / "node_modules"))

DEBUG = os.environ.get("TUOYU_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("TUOYU_SECRET_KEY") or load_or_create_key(
    VAR_DIR / "secret.key", kind="secret"
)
# Personal data key: never committed; the demo generates it into var/ on first run.
TUOYU_DATA_KEY = os.environ.get("TUOYU_DATA_KEY") or load_or_create_key(
    VAR_DIR / "data.key", kind="data"
)
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
    "django.contrib.admin",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tuoyu.web.nul.RejectNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tuoyu.audit.middleware.RequestContextMiddleware",
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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tuoyu.sqlite3'}",
        conn_max_age=int(os.environ.get("TUOYU_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE takes the write lock at
    # BEGIN so two writers never deadlock upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        os.environ.get("TUOYU_TEST_SQLITE_NAME", "") or None
    )

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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
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
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SECURE = os.environ.get("TUOYU_SECURE_COOKIES", "0") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "tuoyu": {"handlers": ["console"], "level": os.environ.get("TUOYU_LOG_LEVEL", "INFO")},
        "tuoyu.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Login throttling (issue: lock after 5 failures in 15 minutes, per account and per IP).
TUOYU_LOGIN_MAX_FAILURES = int(os.environ.get("TUOYU_LOGIN_MAX_FAILURES", "5"))
TUOYU_LOGIN_WINDOW_MINUTES = int(os.environ.get("TUOYU_LOGIN_WINDOW_MINUTES", "15"))

# [house] point 5: codes and actions come from the apps' catalogues (tuoyu.core.catalogue).
TUOYU_STRICT_CATALOGUES = os.environ.get("TUOYU_STRICT_CATALOGUES", "0") == "1"
