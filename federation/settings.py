"""Settings for the district women's federation system.

Every value that differs between machines comes from these environment variables, read in this
file only, through federation/env.py. One line each: name, default, what it does. A flag is on
for 1, true or yes (any case); unset or empty, it takes its default.

    DATABASE_URL                 required          the PostgreSQL database, postgres://user@host/db
    DATABASE_REPLICA_URL         unset             a read replica, named by REPORTS_DATABASE
    DJANGO_SECRET_KEY            required (a)      signs sessions, messages and password-reset links
    DJANGO_DEBUG                 off               flag: debug pages, browsable API, no HTTPS rules
    DJANGO_ALLOWED_HOSTS         none (b)          the host names served, comma-separated
    DJANGO_SECURE_SSL_REDIRECT   on (c)            flag: redirect HTTP to HTTPS (/healthz exempt)
    DJANGO_MEDIA_ROOT            var/media         where attachments are stored; never served as is
    API_THROTTLE_RATE            300/min           API requests an account may make (a DRF rate)
    API_THROTTLE_RATE_ANONYMOUS  60/min            API requests an address without a token may make
    EMAIL_HOST                   unset             the SMTP server; set, notices are also e-mailed
    EMAIL_PORT                   25                the SMTP server's port
    EMAIL_FROM                   unset (d)         the sender of those e-mails
    BACKUP_KEY                   unset (e)         the secret backups are encrypted with
    BACKUP_KEY_OLD               unset             the key before it, for `manage.py backup_rekey`
    BACKUP_DIR                   var/backups       where `manage.py backup` writes its files

(d) Django's default, webmaster@localhost. (e) `manage.py backup` and `restore` refuse to run
    without it (docs/operations.md).

(a) With DJANGO_DEBUG a fixed development key stands in; manage.py in a development tree uses
    var/secret_key, made by `make`. (b) With DJANGO_DEBUG: localhost,127.0.0.1. (c) Off with
    DJANGO_DEBUG. federation/settings_test.py sets test defaults for (a), (b) and (c).

Fixed here, not read from the environment, and read by the apps: API_TEXT_MAX_LENGTH (longest
free text the API accepts), ATTACHMENT_MAX_BYTES (largest attachment), API_THROTTLE_RATES (the
two rates above), REPORTS_DATABASE (where reports read: "replica" when there is one,
docs/reports.md), LOGIN_USERNAME_FAILURE_LIMIT (failures that lock a username from every
address).
tests/test_settings.py checks that the list above names every variable this file reads.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url

from federation.env import env_bool, env_list, env_mandatory, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY") if DEBUG else env_mandatory("DJANGO_SECRET_KEY")
if DEBUG and not SECRET_KEY:
    SECRET_KEY = "insecure-development-only"  # noqa: S105 - DEBUG only, never in production
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",  # per-device API tokens, stored hashed (apps.accounts.models.DeviceToken)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "simple_history",
    "apps.accounts.login_records.LoginRecordsConfig",  # django-axes
    "procrastinate.contrib.django",  # the job queue's tables and worker command (docs/jobs.md)
    "apps.core",
    "apps.organizations",
    "apps.accounts",
    "apps.files",
    "apps.jobs",
    "apps.notices",
    "apps.members",
    "apps.events",
    "apps.rights",
    "apps.councils",
    "apps.reports",
    "apps.demo",
]

MIDDLEWARE = [
    "apps.core.logs.RequestLogMiddleware",  # first: names, times and logs every request
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "apps.core.admin_guard.AdminGuardMiddleware",  # hostile admin URLs: 400 or ?e=1
]

ROOT_URLCONF = "federation.urls"
WSGI_APPLICATION = "federation.wsgi.application"

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
            ],
        },
    },
]

# Database: PostgreSQL is the one database the code targets.
DATABASES = {
    "default": dj_database_url.parse(
        env_mandatory("DATABASE_URL"), conn_max_age=60, conn_health_checks=True
    ),
}
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        env_str("DATABASE_REPLICA_URL"), conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
REPORTS_DATABASE = "replica" if "replica" in DATABASES else "default"
# No JIT compilation: PostgreSQL compiles any statement its planner costs high (an import's
# pairing of 20,000 new people, a district's report), and here the compiling took longer than
# the statement, 0.3-0.5 s each time (docs/quality.md, Speed).
for _database in DATABASES.values():
    _options = _database.setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A set-password link (docs/roles.md, Account rules) works once, for three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # the admin for its roles, a page saying where to go for others
LOGOUT_REDIRECT_URL = "login"

# Language and time: Chinese first, English second; Beijing time.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Our apps' static files, and the few files of npm packages the pages use (apps/core/vendor.py).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "apps.core.vendor.VendorFinder",
]
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# E-mail: off unless EMAIL_HOST is set; notices (docs/notices.md) are its one use.
EMAIL_HOST = env_str("EMAIL_HOST") or "localhost"
EMAIL_PORT = int(env_str("EMAIL_PORT") or 25)
NOTICES_EMAIL = bool(env_str("EMAIL_HOST"))
if env_str("EMAIL_FROM"):
    DEFAULT_FROM_EMAIL = env_str("EMAIL_FROM")

MEDIA_ROOT = env_str("DJANGO_MEDIA_ROOT") or BASE_DIR / "var" / "media"
# Backups (docs/operations.md): the database and the media root, encrypted with BACKUP_KEY.
BACKUP_KEY = env_str("BACKUP_KEY")
BACKUP_KEY_OLD = env_str("BACKUP_KEY_OLD")
BACKUP_DIR = Path(env_str("BACKUP_DIR") or BASE_DIR / "var" / "backups")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024

# Security. Production is DJANGO_DEBUG unset with a real secret.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day
X_FRAME_OPTIONS = "DENY"

# Login lockout (docs/quality.md, 8): 5 failures lock the pair (username, address) for 30
# minutes; the username alone locks only after 50 failures from any addresses, so nobody locks
# another out from their own desk, and a township behind one NAT address is not one account.
# The address is REMOTE_ADDR: behind a reverse proxy, set AXES_IPWARE_PROXY_COUNT (django-axes).
AXES_HANDLER = "apps.accounts.lockout.PairThenUsernameHandler"  # axes' database handler, + below
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]  # this order: the handler
AXES_FAILURE_LIMIT = 5
LOGIN_USERNAME_FAILURE_LIMIT = 50
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True

# The cache keeps large lists' counts for a minute (docs/api.md, Lists), in each server process's
# memory: a database cache cost every page of a large list one more statement (bench figure 1),
# and an estimate each process makes for itself once a minute is as good. Nothing else is
# cached; the API's throttle counts, which every process must share, have a table of their own
# (apps/core/throttling.py, quality.md 8).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.DeviceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.organizations.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.RecordPagination",
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.schema.RecordAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.core.parsers.LimitedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.core.throttling.AccountRateThrottle",
        "apps.core.throttling.AnonymousRateThrottle",
    ],
    "EXCEPTION_HANDLER": "apps.core.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
# Per account and per anonymous address; a station on a bad line retries, so be generous.
API_THROTTLE_RATES = {
    "account": env_str("API_THROTTLE_RATE") or "300/min",
    "anonymous": env_str("API_THROTTLE_RATE_ANONYMOUS") or "60/min",
}
# API tokens (django-rest-knox): one per device, hashed, expiring 30 days after last use; a
# used token's expiry moves on at most once an hour, so a busy device does not write on every
# request (docs/api.md, Signing in).
KNOX_TOKEN_MODEL = "accounts.DeviceToken"  # noqa: S105 - a model name
# knox's migrations make a table for its own AuthToken even when ours replaces it (they do not
# mark it swappable): an unused table that points at accounts and stops the tests' flush.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=30),
    "AUTO_REFRESH": True,
    "MIN_REFRESH_INTERVAL": 60 * 60,
    "AUTH_HEADER_PREFIX": "Token",
}
# Sign-ins a device's address may try per minute, before django-axes' lockout by account.
API_SIGN_IN_RATE = "10/min"
# Longest text a client may send in a free-text field (a note, an address, minutes).
API_TEXT_MAX_LENGTH = 5000
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    # ASCII: a client generator names its package after the title (docs/station-client.md).
    "TITLE": "District Federation API",
    "DESCRIPTION": (
        "区妇联管理系统 API: the API village stations build their clients on. Codes are "
        "English; names and messages follow Accept-Language (Chinese when it names none). "
        "On a 429 or a 503, wait the Retry-After seconds and send the same request again."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    # No deep links: Swagger UI puts each as a link inside its operation's button, a control
    # nested in a control that screen readers cannot reach (docs/quality.md, 27).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Fields of one name with other choices (an organization's and a meeting's "kind").
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "apps.organizations.choices.Kind",
        "BranchMeetingKindEnum": "apps.members.choices.BranchMeetingKind",
        "CaseStatusEnum": "apps.rights.choices.CaseStatus",  # beside attendance's "status"
        "PartyRoleEnum": "apps.rights.choices.PartyRole",  # beside the other "role" fields
    },
    # Filters take the model's enum components; a blank choice is said inline, no BlankEnum.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.api.schema.postprocess_for_generators",
    ],
}

# Background jobs (docs/jobs.md): procrastinate's queue on this same database, its tasks in
# apps/*/tasks.py, run by `manage.py procrastinate worker`. An admin import of a sheet of more
# rows than this runs as a job (up to LIMIT_ROWS of apps/core/xlsx.py); fewer, in the request.
JOBS_IMPORT_THRESHOLD = 2000
# A report whose subtree holds more organizations than this exports its Excel file by a job
# (docs/reports.md, Excel): the district's; a street's is written in the request.
REPORTS_EXPORT_JOB_ORGANIZATIONS = 60

# Logs (docs/operations.md, Logs): JSON lines on stderr, each with its request's id and account
# (apps/core/logs.py), never a request's body or query string. The same for runserver, gunicorn
# (federation/gunicorn.py) and the job worker.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "apps.core.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Django's own console handler (plain text, under DEBUG) goes: its lines reach the root.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},  # DEBUG would log every statement's values
        # runserver's line for each request quotes the query string: the middleware's replaces it.
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
        # procrastinate says at every start which tasks it registered: not news.
        "procrastinate.blueprints": {"level": "WARNING"},
        "procrastinate.periodic": {"level": "WARNING"},
    },
}
