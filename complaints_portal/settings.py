"""The portal's one settings module: everything that varies comes from the environment.

With no environment at all the portal runs on embedded defaults (SQLite and a
filesystem Celery broker under ``var/``, emails written to files) so a fresh
machine needs no server. ``PORTAL_ENV=production`` switches on the production
posture: a real ``SECRET_KEY`` is required and cookies, HSTS and HTTPS are strict.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from common.code_version import code_version

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

PORTAL_ENV = env("PORTAL_ENV", default="development")
if PORTAL_ENV not in ("development", "production"):
    raise ImproperlyConfigured("PORTAL_ENV must be 'development' or 'production'.")
PRODUCTION = PORTAL_ENV == "production"

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

# Rendered pages and timelines are cached under the code's version, so a deploy never serves
# what older code rendered. CODE_VERSION (a release's commit, say) saves hashing the source.
CODE_VERSION = env("CODE_VERSION", default="") or code_version(BASE_DIR)

DEBUG = env.bool("DEBUG", default=not PRODUCTION)

_DEV_SECRET_KEY = "development-only-secret-key-never-used-in-production"
SECRET_KEY = env("SECRET_KEY", default=None)
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when PORTAL_ENV=production.")
    SECRET_KEY = _DEV_SECRET_KEY
elif PRODUCTION and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a real secret of 50 or more characters.")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The address customers reach the portal on, for links in emails and letters.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "accounts.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "accounts",
    "complaints",
    "ombudsman",
    "privacy",
    "desk",
    "reports",
    "mailin",
]

MIDDLEWARE = [
    "complaints_portal.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "complaints_portal.security.ContentSecurityPolicyMiddleware",
    "complaints_portal.security.RejectUnusableQueryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "complaints_portal.urls"
WSGI_APPLICATION = "complaints_portal.wsgi.application"

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
                "complaints_portal.context_processors.provider",
                "complaints_portal.context_processors.rules",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: WAL and a busy timeout avoid "database is locked",
    # IMMEDIATE transactions avoid lock upgrades failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_SQLITE_NAME", default=None)}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "complaints:mine"
LOGOUT_REDIRECT_URL = "home"
# How long the link that confirms a new account's email address works (accounts.services);
# a sign-up not confirmed by then is deleted.
SIGNUP_CONFIRMATION_HOURS = env.int("SIGNUP_CONFIRMATION_HOURS", default=48)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# 24-hour times wherever Django formats one (the admin's lists and pages): see the module.
FORMAT_MODULE_PATH = ["complaints_portal.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    # Uploads live under var/, outside the web root; only a permission-checked view serves them.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "uploads")))
# Never routed: no URL serves MEDIA_ROOT directly (uploads go through permission checks).
MEDIA_URL = "/media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REDIS_URL = env("REDIS_URL", default="")
# A cache that takes connections and never answers must not hold requests: its callers
# (rate limits, the reports) carry on without it.
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=1.0)
CACHES = {
    "default": {
        "BACKEND": "complaints_portal.redis_cache.RedisCache", "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Email: files under var/mail by default; EMAIL_URL (smtp://user:pass@host:587, or
# smtp+tls://...) switches to a real mail server.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Complaints <complaints@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# A mail server that takes the connection and never greets must cost seconds, not
# EMAIL_TIMEOUT per message: connecting and greeting get this shorter timeout.
EMAIL_CONNECT_TIMEOUT = env.float("EMAIL_CONNECT_TIMEOUT", default=5.0)
if EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    EMAIL_BACKEND = "complaints_portal.smtp.EmailBackend"

# Celery: kombu's filesystem transport in var/ needs no server; CELERY_BROKER_URL
# (redis://127.0.0.1:6379/0) switches to a real broker.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
# A web request must not hang on a dead broker: the outbox row is already saved and the
# periodic retry delivers it once the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        # Broadcast (worker control) messages; kombu's default is ./control in the cwd.
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # The connection timeout covers only connecting: a broker that takes the connection and
    # never answers would hold the request for ever without a timeout on every read.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_timeout": CELERY_BROKER_CONNECTION_TIMEOUT}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
# The clock (ombudsman app). The sweep also retries pending emails and letters. /healthz
# and the admin call the clock unhealthy when the last sweep is older than three intervals.
CLOCK_SWEEP_MINUTES = env.float("CLOCK_SWEEP_MINUTES", default=5)
CLOCK_UNHEALTHY_AFTER = timedelta(minutes=3 * CLOCK_SWEEP_MINUTES)
CLOCK_SWEEP_BATCH = env.int("CLOCK_SWEEP_BATCH", default=200)
# Retries of emails and letters come last in a sweep and stop after this many seconds, so a
# slow mail server delays deliveries only (the workers' tasks and the next sweep go on).
CLOCK_SWEEP_DELIVERY_SECONDS = env.float("CLOCK_SWEEP_DELIVERY_SECONDS", default=60)
ADR_WARNING_DAYS = env.int("ADR_WARNING_DAYS", default=14)
COMPLIANCE_REMINDER_DAYS = env.int("COMPLIANCE_REMINDER_DAYS", default=7)
CELERY_BEAT_SCHEDULE = {
    "sweep-clocks": {
        "task": "ombudsman.tasks.sweep_clocks",
        "schedule": timedelta(minutes=CLOCK_SWEEP_MINUTES),
    },
    # Managers' weekly digest, Monday 07:00 UK time (CELERY_TIMEZONE).
    "weekly-manager-digest": {
        "task": "reports.tasks.send_weekly_digest",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    # The retention job, daily at 03:30 UK time: anonymises complaints past the retention period.
    "anonymise-expired": {
        "task": "privacy.tasks.anonymise_expired",
        "schedule": crontab(minute=30, hour=3),
    },
}

# The managers' reports: PostgreSQL working memory for their grouping queries (see
# reports.db.room_to_group), set for the report's transaction only; and how long a report's
# figures are kept in the cache (reports.snapshots; 0 reads them on every request). With a
# shared cache (REDIS_URL), beat reads the default report again every half of that, so it
# never expires while in use; a memory cache is each process's own, which beat cannot reach.
REPORTS_WORK_MEM = env("REPORTS_WORK_MEM", default="64MB")
REPORTS_CACHE_SECONDS = env.int("REPORTS_CACHE_SECONDS", default=300)
if REDIS_URL and REPORTS_CACHE_SECONDS:
    CELERY_BEAT_SCHEDULE["refresh-default-report"] = {
        "task": "reports.tasks.refresh_default_report",
        "schedule": timedelta(seconds=REPORTS_CACHE_SECONDS / 2),
        # A worker that was down finds one refresh waiting, not one for every missed interval.
        "options": {"expires": REPORTS_CACHE_SECONDS / 2},
    }

# Personal data. Closed complaints are anonymised this many years after they closed (never
# while an ADR window or case is open); a subject access request is answered within this
# many calendar months of receipt.
RETENTION_YEARS = env.int("RETENTION_YEARS", default=6)
RETENTION_BATCH = env.int("RETENTION_BATCH", default=100)
SAR_RESPONSE_MONTHS = env.int("SAR_RESPONSE_MONTHS", default=1)

# Mail in: the mailbox the portal reads (imaps://user:password@host/INBOX; off when empty),
# how often beat reads it, the largest message it reads into a complaint (larger ones wait for
# review, kept whole), the address customers reply to (the mailbox's; emails to customers say
# it in Reply-To), and the receiving server's name in Authentication-Results headers, the only
# ones trusted to say a sender is who they claim.
MAIL_IN_URL = env("MAIL_IN_URL", default="")
MAIL_IN_MINUTES = env.int("MAIL_IN_MINUTES", default=2)
MAIL_IN_MAX_BYTES = env.int("MAIL_IN_MAX_BYTES", default=25 * 1024 * 1024)
MAIL_IN_ADDRESS = env("MAIL_IN_ADDRESS", default="")
MAIL_IN_AUTHSERV_ID = env("MAIL_IN_AUTHSERV_ID", default="")
if MAIL_IN_URL:
    CELERY_BEAT_SCHEDULE["fetch-mail"] = {
        "task": "mailin.tasks.fetch_mail",
        "schedule": timedelta(minutes=MAIL_IN_MINUTES),
        "options": {"expires": MAIL_IN_MINUTES * 60},
    }

# The outbox: how often and for how long a failing email is retried before it is
# marked failed for agents to see.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)

ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=5)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# The provider, as its Code of Practice names it. Templates, emails and letters read
# these through complaints_portal.provider, nowhere else.
PROVIDER = {
    "name": env("PROVIDER_NAME", default="LogMeIn Technologies UK Limited"),
    "short_name": env("PROVIDER_SHORT_NAME", default="LogMeIn"),
    "company_number": env("PROVIDER_COMPANY_NUMBER", default="10057996"),
    "registered_office": env(
        "PROVIDER_REGISTERED_OFFICE",
        default="New Street Square, London, United Kingdom, EC4A 3TW",
    ),
    "postal_address": env(
        "PROVIDER_POSTAL_ADDRESS",
        default="Ramillies Buildings, 1-9 Hills Place, Westminster, London W1F 7SA, United Kingdom",
    ),
    "phone": env("PROVIDER_PHONE", default="+44 (0) 078 514270"),
    "website": env("PROVIDER_WEBSITE", default="www.logmeininc.com"),
    "email": env("PROVIDER_EMAIL", default="complaints@localhost"),
}

# The regulator whose contact details are published, as the Code of Practice gives them.
REGULATOR = {
    "name": env("REGULATOR_NAME", default="Ofcom"),
    "postal_address": env(
        "REGULATOR_POSTAL_ADDRESS", default="Riverside House, 2a Southwark Bridge Road, London SE1 9HA"
    ),
    "email": env("REGULATOR_EMAIL", default="contact@ofcom.org.uk"),
    "phone": env("REGULATOR_PHONE", default="020 7981 3040"),
    "website": env("REGULATOR_WEBSITE", default="www.ofcom.org.uk"),
}

# Rate limits on the forms that guess or flood: attempts per window (seconds) from one client
# address, and for the forms that name an account also per account (any address, so a guess
# spread over many addresses is caught) and per address and account. Counted in the cache:
# with REDIS_URL every web process shares the counts; the memory cache counts per process.
RATE_LIMITS = {
    "login": {
        "window": env.int("RATE_LIMIT_LOGIN_WINDOW", default=15 * 60),
        "per_ip": env.int("RATE_LIMIT_LOGIN_PER_IP", default=30),
        "per_ip_account": env.int("RATE_LIMIT_LOGIN_PER_IP_ACCOUNT", default=10),
        "per_account": env.int("RATE_LIMIT_LOGIN_PER_ACCOUNT", default=30),
    },
    "signup": {
        "window": env.int("RATE_LIMIT_SIGNUP_WINDOW", default=60 * 60),
        "per_ip": env.int("RATE_LIMIT_SIGNUP_PER_IP", default=20),
        "per_account": env.int("RATE_LIMIT_SIGNUP_PER_ACCOUNT", default=5),
    },
    "password_reset": {
        "window": env.int("RATE_LIMIT_PASSWORD_RESET_WINDOW", default=60 * 60),
        "per_ip": env.int("RATE_LIMIT_PASSWORD_RESET_PER_IP", default=20),
        "per_account": env.int("RATE_LIMIT_PASSWORD_RESET_PER_ACCOUNT", default=5),
    },
    "track": {
        "window": env.int("RATE_LIMIT_TRACK_WINDOW", default=15 * 60),
        "per_ip": env.int("RATE_LIMIT_TRACK_PER_IP", default=30),
    },
    # Free copies of the Code of Practice, to any address typed (the form itself refuses a
    # fourth copy to one address in a day; this stops one client spraying many addresses).
    "code_copy": {
        "window": env.int("RATE_LIMIT_CODE_COPY_WINDOW", default=60 * 60),
        "per_ip": env.int("RATE_LIMIT_CODE_COPY_PER_IP", default=10),
    },
}
# How many reverse proxies in front of the portal append to X-Forwarded-For; 0 trusts none and
# counts by REMOTE_ADDR. Production runs behind one (as SECURE_PROXY_SSL_HEADER assumes), and
# without trusting it every customer would share the proxy's address and its limits. Only
# trust proxies when the portal cannot be reached except through them.
RATE_LIMIT_TRUSTED_PROXIES = env.int("RATE_LIMIT_TRUSTED_PROXIES", default=1 if PRODUCTION else 0)

# Sent on every response. No inline script or style anywhere (Django's admin included); the
# data: images are Bootstrap's icons in its stylesheet.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Where browsers report what the policy blocked (a collector of your choice), if anywhere.
CSP_REPORT_URI = env("CSP_REPORT_URI", default="")
if CSP_REPORT_URI:
    CONTENT_SECURITY_POLICY += f"; report-uri {CSP_REPORT_URI}"

SESSION_COOKIE_HTTPONLY = True
# With Redis, signed-in pages read their session from it (kept in the database too); only a
# cache every worker shares can hold sessions (complaints_portal.sessions).
SESSION_ENGINE = "complaints_portal.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"
# Staff sessions end after this long without a request, and this long after they began
# (accounts.staff_sessions, checked with the second factor); customers' sessions last
# Django's two weeks.
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
STAFF_SESSION_MAX_HOURS = env.int("STAFF_SESSION_MAX_HOURS", default=12)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Console logs: LOG_FORMAT=json writes one JSON object per line (complaints_portal.logs) for a
# log collector; plain is for people reading a terminal.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'plain' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "complaints_portal.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step of every letter at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
# Celery workers log through LOGGING too, instead of replacing the root logger's handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Error reporting, only when a DSN is given (complaints_portal.error_reporting).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from complaints_portal.error_reporting import init_error_reporting

    init_error_reporting(dsn=SENTRY_DSN, environment=env("SENTRY_ENVIRONMENT", default=PORTAL_ENV),
                         release=env("SENTRY_RELEASE", default=None))
