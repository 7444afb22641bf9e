"""SUTASOMA settings: one module, read from the environment, with safe local defaults.

Nothing set: SQLite and Celery's filesystem transport under ./var, so `make run` needs no server.
`DATABASE_URL` and `CELERY_BROKER_URL` switch to PostgreSQL and Redis.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP

from sutasoma.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SUTASOMA_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off.")
    # DEBUG only: a fresh key per process (sessions end at restart), never one kept in the repo.
    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Plain HTTP is only for a laptop on loopback (`make run`); a real deployment sits behind TLS.
HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# HSTS: once a browser has seen the site over HTTPS it refuses plain HTTP for a year. Subdomains
# and the browsers' preload list stay off: other hosts under the Dinas' domain are not ours to
# force onto HTTPS, and preloading cannot be undone quickly.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = False
# check --deploy would warn about both choices (W005 subdomains, W021 preload); they are deliberate.
SILENCED_SYSTEM_CHECKS = ["security.W021"] + ([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"])
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "simple_history",
    "wilayah",
    "accounts",
    "audit",
    "enrollment",
    "contributions",
    "claims",
    "bpjs_gateway",
    "monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "sutasoma.middleware.PrivateDataMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sutasoma.urls"
WSGI_APPLICATION = "sutasoma.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "monitoring.navigation.navigation",
            ],
            "builtins": [
                "django.templatetags.static",
                "sutasoma.templatetags.formatting",
                "django_htmx.templatetags.django_htmx",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # web, worker and beat share the file: wait for locks instead of failing, and take the
    # write lock up front so two writers never deadlock on an upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "monitoring:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: a few wrong passwords lock that username from that address for a while.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_float("AXES_COOLOFF_HOURS", 0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# A 5,000-character or NUL-laden name must not reach axes' 255-character column as it is.
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia")]
TIME_ZONE = "Asia/Makassar"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# KTP images and claim documents: never under a public URL, only through permission-checked views.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": env_str("STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600  # KTP photos: readable by the app's own user only
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_ENGINE = "sutasoma.sessions"  # Django's database sessions, read without the ORM (sutasoma/sessions.py)

# Celery: Redis when CELERY_BROKER_URL is set, otherwise a folder on disk, which needs no server.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery"
    for _folder in ("queue", "processed", "control"):
        (_queue_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
        # The folder is polled; at the default 1 s a demo's 350 registrations take six minutes.
        "polling_interval": 0.1,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 120)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "reconcile-iuran": {"task": "contributions.tasks.reconcile_yesterday_task", "schedule": crontab(hour=2, minute=15)},
    # The figures of the month just ended, frozen for the BPP meetings of the 5th (monitoring/monev.py).
    "monev-snapshot": {
        "task": "monitoring.tasks.monev_snapshot_task",
        "schedule": crontab(minute=0, hour=0, day_of_month=5),
    },
    # Background reports are kept EXPORT_KEEP_DAYS (monitoring/exports.py).
    "exports-cleanup": {"task": "monitoring.tasks.exports_cleanup_task", "schedule": crontab(hour=3, minute=30)},
    # Import reports name NIKs: kept IMPORT_KEEP_DAYS (enrollment/import_jobs.py).
    "imports-cleanup": {"task": "enrollment.tasks.import_jobs_cleanup_task", "schedule": crontab(hour=3, minute=40)},
    # KTP photos kept for a form sent back for correction: personal data, kept a day (enrollment/kept_ktp.py).
    "kept-ktp-cleanup": {"task": "enrollment.tasks.kept_ktp_cleanup_task", "schedule": crontab(minute=20)},
    # The admin's province figures read the regency tally, its appended changes and all (enrollment/tally.py).
    "regency-tally-fold": {"task": "enrollment.tasks.regency_tally_fold_task", "schedule": 60.0},
    "claims-poll": {"task": "claims.tasks.poll_claims_task", "schedule": env_float("CLAIMS_POLL_EVERY_S", 900.0)},
    "outbox-sweep": {
        "task": "bpjs_gateway.tasks.sweep_outbox_task",
        "schedule": env_float("BPJS_OUTBOX_SWEEP_EVERY_S", 30.0),
    },
    # Asks the insurer only while an outage's backlog waits; releases it once it answers.
    "outbox-probe": {
        "task": "bpjs_gateway.tasks.probe_insurer_task",
        "schedule": env_float("BPJS_OUTBOX_PROBE_EVERY_S", 10.0),
    },
}

# The insurer's host-to-host service (docs/insurer-contract.md). The secret never lives in the repository.
BPJS_H2H_BASE_URL = env_str("BPJS_H2H_BASE_URL", "http://127.0.0.1:8700")
BPJS_H2H_CONS_ID = env_str("BPJS_H2H_CONS_ID", "SOPPENG01")
BPJS_H2H_SECRET = env_str("BPJS_H2H_SECRET")
BPJS_H2H_TIMEOUT_S = env_float("BPJS_H2H_TIMEOUT_S", 10.0)
# An outbox row still due this long after its time has lost its task: the sweep sends it again.
BPJS_OUTBOX_SWEEP_GRACE_S = env_float("BPJS_OUTBOX_SWEEP_GRACE_S", 30.0)
BPJS_OUTBOX_BACKOFF_BASE_S = env_float("BPJS_OUTBOX_BACKOFF_BASE_S", 2.0)
BPJS_OUTBOX_BACKOFF_CAP_S = env_float("BPJS_OUTBOX_BACKOFF_CAP_S", 300.0)
# How long a task that got an answer goes on sending whatever else is due (bpjs_gateway/outbox.py:drain).
BPJS_OUTBOX_DRAIN_S = env_float("BPJS_OUTBOX_DRAIN_S", 20.0)
# Rows a drain claims at once, and calls it keeps on the wire together (each on its own keep-alive
# connection): the insurer gets at most this many requests at once from a worker process.
BPJS_OUTBOX_DRAIN_BATCH = env_int("BPJS_OUTBOX_DRAIN_BATCH", 50)
BPJS_OUTBOX_IN_FLIGHT = env_int("BPJS_OUTBOX_IN_FLIGHT", 4)
# Drains a backlog is handed over as (one per batch, at most this many): set it to the worker
# processes, so each takes part and none sits idle (bpjs_gateway/tasks.py:hand_over).
BPJS_OUTBOX_DRAINS = env_int("BPJS_OUTBOX_DRAINS", 4)
# Rows one probe's answer may release (bpjs_gateway/health.py); the rest go with the next probe.
BPJS_OUTBOX_RELEASE_MAX = env_int("BPJS_OUTBOX_RELEASE_MAX", 2000)

# Existence checks (is this NIK registered? who has this name and birth date?) per user and window:
# enough for a day of registrations, far too few to walk the NIK space.
LOOKUP_LIMIT = env_int("LOOKUP_LIMIT", 30)
LOOKUP_WINDOW_S = env_int("LOOKUP_WINDOW_S", 600)
# KTP photos read by Tesseract per agent in the same window: registering a farmer takes minutes, so
# even a few retakes each stay well under it; a read takes about a CPU second but may hold a core
# up to 30 s, so even reads that all time out keep an agent to 3/4 of a core.
KTP_READ_LIMIT = env_int("KTP_READ_LIMIT", 15)

DEMO_PASSWORD = env_str("DEMO_PASSWORD", "sutasoma-demo")
DEFAULT_REGENCY_CODE = env_str("DEFAULT_REGENCY_CODE", "73.12")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
