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

(a) With DJANGO_DEBUG a fixed development key stands in; manage.py in a development tree uses
    var/secret_key, made by `make`. (b) With DJANGO_DEBUG: localhost,127.0.0.1. (c) Off with
    DJANGO_DEBUG. federation/settings_test.py sets test defaults for (a), (b) and (c).

Fixed here, not read from the environment, and read by the apps: API_TEXT_MAX_LENGTH (longest
free text the API accepts), ATTACHMENT_MAX_BYTES (largest attachment), API_THROTTLE_RATES (the
two rates above), REPORTS_DATABASE ("replica" when there is one; no report reads it yet).
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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "simple_history",
    "apps.accounts.login_records.LoginRecordsConfig",  # django-axes
    "apps.core",
    "apps.organizations",
    "apps.accounts",
    "apps.files",
    "apps.members",
    "apps.demo",
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
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
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
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = env_str("DJANGO_MEDIA_ROOT") or BASE_DIR / "var" / "media"
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

# Login lockout by username, not by IP: a whole township shares one NAT.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# axes.W006 asks to lock by IP too; a whole township shares one NAT address, so we don't.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.TokenAuthentication",
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
# Longest text a client may send in a free-text field (a note, an address, minutes).
API_TEXT_MAX_LENGTH = 5000
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "区妇联管理系统 API",
    "DESCRIPTION": (
        "The API village stations build their clients on. Codes are English; "
        "names and messages follow Accept-Language (Chinese when it names none)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Fields of one name with other choices (an organization's and a meeting's "kind").
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "apps.organizations.choices.Kind",
        "BranchMeetingKindEnum": "apps.members.choices.BranchMeetingKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
