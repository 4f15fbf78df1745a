"""Settings for BakedBot Media, read from the environment (see README "Configuration").

Every integration is off or embedded by default: SQLite under var/, the SQL cost store, the Django
database as the job broker, the console e-mail backend and simulate mode for providers without keys.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from bakedbot.env import env_bool, env_choice, env_int, env_list, env_str
from bakedbot.validation import is_ascii_digits

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

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
    "template_partials",
    "django_q",
    # django-ninja as an app so its docs page loads Swagger UI from our static files, not a CDN.
    "ninja",
    "bakedbot",
    "costs",
    "presets",
    "media",
    "playbooks",
    "abtests",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages compress (64 KB of HTML is 8 KB gzipped); Django's middleware pads each compressed
    # body at random against BREACH. Above WhiteNoise so static files compress too while DEBUG
    # serves them from the finders; the production ones are precompressed and pass through.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bakedbot.middleware.RefuseNulMiddleware",
    "bakedbot.middleware.ForeignTenantMiddleware",
    "bakedbot.middleware.UnavailableMiddleware",
]

ROOT_URLCONF = "bakedbot.urls"
WSGI_APPLICATION = "bakedbot.wsgi.application"

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
                "bakedbot.navigation.sidebar",
            ],
        },
    },
]

# Every cost-store call (a Firestore RPC with its retries, a wait for the SQLite write lock, a
# PostgreSQL lock) answers within this many seconds; past it the store counts as unavailable
# (API 503 with Retry-After, pages say costs are temporarily unavailable, jobs use the outbox).
COSTS_STORE_TIMEOUT_SECONDS = env_int("COSTS_STORE_TIMEOUT_SECONDS", 5, minimum=1)

# Database: SQLite under var/ by default; any DATABASE_URL dj-database-url understands otherwise.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
try:
    # Connections are kept a minute and checked before reuse: a server restart or a terminated
    # backend costs a reconnect, not a failed request.
    _default_db = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if _default_db["ENGINE"] == "django.db.backends.sqlite3":
    _default_db["CONN_MAX_AGE"] = 0
    # Django's SQLite backend plus a per-process queue for the write lock (the module says why).
    _default_db["ENGINE"] = "bakedbot.sqlite_backend"
    # A web process and a django-q2 worker write at once: WAL lets readers run beside the writer,
    # IMMEDIATE takes the write lock at BEGIN (no deadlocking lock upgrades), and the timeout waits
    # for the lock instead of failing with "database is locked" -- but no longer than a cost-store
    # call may take (the SQL cost store lives here), so a database locked for long answers 503
    # within the deadline instead of hanging the request.
    _default_db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": COSTS_STORE_TIMEOUT_SECONDS,
    }
    # Tests that use threads need a real file, not a shared-cache in-memory database; one file per
    # test process so that two test runs never share a database.
    _default_db["TEST"] = {"NAME": str(VAR_DIR / f"test_db_{os.getpid()}.sqlite3")}
elif _default_db["ENGINE"] == "django.db.backends.postgresql":
    # The same bound on PostgreSQL: connecting, and waiting for a row lock (a budget hold's).
    _default_db.setdefault("OPTIONS", {})
    _default_db["OPTIONS"].setdefault("connect_timeout", COSTS_STORE_TIMEOUT_SECONDS)
    _default_db["OPTIONS"].setdefault(
        "options", f"-c lock_timeout={COSTS_STORE_TIMEOUT_SECONDS * 1000}"
    )
DATABASES = {"default": _default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files: hashed, compressed and cached for a year when served by WhiteNoise in production.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "staticfiles")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media-files/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# Security: strict when DEBUG is off (`manage.py check --deploy` reports nothing).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# E-mail: printed to the console unless an SMTP host is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "BakedBot Media <media@bakedbot.local>")

# Cost store: the SQL backend on the Django database, or Firestore (production or an emulator).
COSTS_STORE = env_choice("COSTS_STORE", ("sql", "firestore"), "sql")
FIRESTORE_PROJECT = env_str("FIRESTORE_PROJECT") or env_str("GOOGLE_CLOUD_PROJECT")
FIRESTORE_DATABASE = env_str("FIRESTORE_DATABASE", "(default)")
FIRESTORE_EMULATOR_HOST = env_str("FIRESTORE_EMULATOR_HOST")
# Shard documents per open date of each tenant's and of the global rollup: a document takes
# (generations/s of its rollup) / shards writes a second, and a read of an open date reads up to
# that many documents (costs/README.md has the arithmetic; raise them with the traffic).
FIRESTORE_TENANT_SHARDS = env_int("FIRESTORE_TENANT_SHARDS", 64, minimum=1)
FIRESTORE_GLOBAL_SHARDS = env_int("FIRESTORE_GLOBAL_SHARDS", 55, minimum=1)
if COSTS_STORE == "firestore" and not (FIRESTORE_PROJECT or FIRESTORE_EMULATOR_HOST):
    raise ImproperlyConfigured(
        "COSTS_STORE=firestore needs FIRESTORE_PROJECT (or FIRESTORE_EMULATOR_HOST for an emulator)"
    )

# JSON API (/api/v1/): requests per token per fixed window, counted on the token's database row
# so that every web process shares one count (see bakedbot/api_tokens.py).
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 120, minimum=1)
API_RATE_LIMIT_WINDOW_SECONDS = env_int("API_RATE_LIMIT_WINDOW_SECONDS", 60, minimum=1)

# Jobs: django-q2 on the Django database, or Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
# A task runs at most one video clip's worst case, then hands the job on (media/jobs/produce.py):
# create with retries (4 x 130 s + 3 x 120 s waits) + MEDIA_POLL_TIMEOUT_SECONDS (1,200 s) +
# download with retries (880 s) = 2,960 s with the defaults below, so an hour; a longer video
# continues in the next task. `manage.py check` warns when the media settings outgrow it.
Q_TIMEOUT = env_int("Q_TIMEOUT", 3600, minimum=10)
Q_RETRY = env_int("Q_RETRY", Q_TIMEOUT + 600, minimum=11)
if Q_RETRY <= Q_TIMEOUT:
    # A task still running after `retry` seconds is handed out again and would run twice.
    raise ImproperlyConfigured(f"Q_RETRY ({Q_RETRY}) must be greater than Q_TIMEOUT ({Q_TIMEOUT})")
Q_CLUSTER = {
    "name": "bakedbot",
    "workers": env_int("Q_WORKERS", 2, minimum=1),
    "timeout": Q_TIMEOUT,
    "retry": Q_RETRY,
    "max_attempts": 3,
    "catch_up": False,
    "poll": 0.5,
    "save_limit": 500,
    "label": "Jobs",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A 403/404 is an expected answer: logged in one line, without the exception's traceback.
    "filters": {"expected_errors": {"()": "bakedbot.error_views.ExpectedErrorsWithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["expected_errors"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO") or "INFO"},
}

# Playbooks: the POS and competitor-price sources the step executors call over HTTP (unset: the POS
# source is refused with a clear error, competitor prices are simulated), the image tier ->
# provider map (see playbooks/executor/media.py for why), and the scheduler clock override that
# lets tests drive a real worker's clock (never turn it on in production).
POS_BASE_URL = env_str("POS_BASE_URL")
POS_API_KEY = env_str("POS_API_KEY")
COMPETITOR_PRICES_URL = env_str("COMPETITOR_PRICES_URL")
COMPETITOR_PRICES_API_KEY = env_str("COMPETITOR_PRICES_API_KEY")
PLAYBOOKS_HTTP_TIMEOUT = env_int("PLAYBOOKS_HTTP_TIMEOUT", 15, minimum=1)
PLAYBOOKS_CLOCK_OVERRIDE = env_bool("PLAYBOOKS_CLOCK_OVERRIDE", False)
# Each tier lists image providers (with an optional image size) in order of preference; the
# first one that is configured with an API key and not retired is used, else the last one.
PLAYBOOKS_IMAGE_TIERS = {
    "free": ("gemini-flash",),
    "paid": ("gemini-pro",),
    "super": ("imagen", "gemini-pro@4K"),
}
for _item in env_list("PLAYBOOKS_IMAGE_TIERS"):
    _tier, _, _choices = _item.partition("=")
    _options = tuple(option.strip() for option in _choices.split("|") if option.strip())
    if _tier.strip() not in PLAYBOOKS_IMAGE_TIERS or not _options:
        raise ImproperlyConfigured(
            "PLAYBOOKS_IMAGE_TIERS must look like "
            f"free=gemini-flash,paid=gemini-pro,super=imagen|gemini-pro@4K; got {_item!r}"
        )
    PLAYBOOKS_IMAGE_TIERS[_tier.strip()] = _options

# Media providers: a provider with an API key is called for real; without one it is simulated (a
# real PNG or MP4 made locally). Base URLs include the API version, so a gateway speaking the same
# wire format can stand in; MEDIA_ALLOW_RETIRED_MODELS lists retired models such a gateway serves.
GEMINI_API_KEY = env_str("GEMINI_API_KEY")
GEMINI_BASE_URL = env_str("GEMINI_BASE_URL") or "https://generativelanguage.googleapis.com/v1beta"
OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL") or "https://api.openai.com/v1"
for _name, _url in (("GEMINI_BASE_URL", GEMINI_BASE_URL), ("OPENAI_BASE_URL", OPENAI_BASE_URL)):
    if not _url.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{_name} must be an http(s) URL; got {_url!r}")
_google = {"api_key": GEMINI_API_KEY, "base_url": GEMINI_BASE_URL}
_openai = {"api_key": OPENAI_API_KEY, "base_url": OPENAI_BASE_URL}
_MEDIA_MODELS = (  # provider key, account, variable naming the model id, default model id
    ("gemini-flash", _google, "GEMINI_FLASH_MODEL", "gemini-3.1-flash-image"),
    ("gemini-pro", _google, "GEMINI_PRO_MODEL", "gemini-3-pro-image"),
    ("imagen", _google, "IMAGEN_MODEL", "imagen-4.0-generate-001"),
    ("veo", _google, "VEO_MODEL", "veo-3.1-generate-preview"),
    ("sora", _openai, "SORA_MODEL", "sora-2"),
    ("gemini-text", _google, "GEMINI_TEXT_MODEL", "gemini-3.5-flash"),
    ("openai-text", _openai, "OPENAI_TEXT_MODEL", "gpt-5-mini"),
)
MEDIA_PROVIDERS = {
    key: {**account, "model": env_str(variable) or default}
    for key, account, variable, default in _MEDIA_MODELS
}
MEDIA_CAPTION_PROVIDER = env_choice("CAPTION_PROVIDER", ("gemini", "openai"), "gemini") + "-text"
MEDIA_PROVIDER_OPTIONS = {
    "connect_timeout": env_int("MEDIA_CONNECT_TIMEOUT", 10, minimum=1),
    "read_timeout": env_int("MEDIA_READ_TIMEOUT", 120, minimum=1),
    "max_attempts": env_int("MEDIA_MAX_ATTEMPTS", 4, minimum=1),
    "backoff_base_ms": env_int("MEDIA_BACKOFF_BASE_MS", 1000, minimum=1),
    "backoff_cap_seconds": env_int("MEDIA_BACKOFF_CAP_SECONDS", 30, minimum=1),
    "max_retry_after_seconds": env_int("MEDIA_MAX_RETRY_AFTER_SECONDS", 120, minimum=0),
    "poll_interval_seconds": env_int("MEDIA_POLL_INTERVAL_SECONDS", 5, minimum=1),
    "poll_timeout_seconds": env_int("MEDIA_POLL_TIMEOUT_SECONDS", 1200, minimum=1),
    "allow_retired_models": env_list("MEDIA_ALLOW_RETIRED_MODELS"),
}

# Generation service: the duplicate-prompt cache's lifetime (0 turns it off); how many jobs may
# call one provider at once (a number for every provider, then `provider=n` overrides, e.g.
# "2,veo=1"); how long a job waits for a free slot before it goes back to the queue; how many
# times a job that failed in a retryable way (rate limit, outage) is tried before it fails.
MEDIA_CACHE_TTL_SECONDS = env_int("MEDIA_CACHE_TTL_SECONDS", 7 * 24 * 3600, minimum=0)
MEDIA_PROVIDER_CONCURRENCY = {key: 2 for key, *_ in _MEDIA_MODELS}
for _item in env_list("MEDIA_PROVIDER_CONCURRENCY"):
    _key, _, _count = _item.rpartition("=")
    _count = _count.strip()
    if not is_ascii_digits(_count) or int(_count) < 1 or (_key and _key not in MEDIA_PROVIDERS):
        raise ImproperlyConfigured(
            "MEDIA_PROVIDER_CONCURRENCY must look like 2,veo=1 (whole numbers of at least 1 for "
            f"known providers); got {_item!r}"
        )
    for _provider in [_key] if _key else list(MEDIA_PROVIDER_CONCURRENCY):
        MEDIA_PROVIDER_CONCURRENCY[_provider] = int(_count)
MEDIA_SLOT_WAIT_SECONDS = env_int("MEDIA_SLOT_WAIT_SECONDS", 15, minimum=0)
MEDIA_JOB_MAX_ATTEMPTS = env_int("MEDIA_JOB_MAX_ATTEMPTS", 3, minimum=1)
