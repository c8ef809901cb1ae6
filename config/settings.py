"""EventMate settings.

Everything is read from the environment with safe defaults. With nothing set, EventMate runs on
the *embedded default*: SQLite (WAL), an in-process cache, console email and eager Celery tasks.
Setting DATABASE_URL / REDIS_URL / EMAIL_URL switches to real services; nothing else changes,
so production behaviour (security headers, caching, logging) is the same on both.

Every variable read here is documented in README.md and deploy/env.example.
"""

import ipaddress
import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is optional (deploy/env.example documents every variable); the environment wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def _read_secret_key() -> str:
    """SECRET_KEY from the environment, else from SECRET_KEY_FILE (written by `make run`)."""
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    key_file = Path(env.str("SECRET_KEY_FILE", default=str(BASE_DIR / ".secret_key")))
    if key_file.is_file():
        return key_file.read_text().strip()
    if DEBUG:
        # Development only: a fixed key is harmless when DEBUG exposes everything anyway.
        return "insecure-development-key-never-use-in-production"
    # A clear one-line message instead of a traceback: this is an operator error, not a bug.
    sys.stderr.write(
        "EventMate: SECRET_KEY is not set. Set the SECRET_KEY environment variable "
        "(or SECRET_KEY_FILE), or run `make run`, which generates .secret_key for you.\n"
    )
    raise SystemExit(2)


SECRET_KEY = _read_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --------------------------------------------------------------------------------------------
# Applications
# --------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "eventmate.core",
    "eventmate.accounts",
    "eventmate.events",
    "eventmate.payments",
    "eventmate.bookings",
    "eventmate.reviews",
    "eventmate.demo",
]

# Order matters (see DEPLOYMENT.md): probes first (no host check, no limits, no cache); then
# request id and timing around everything; security headers; static files; the page cache,
# whose hits skip everything below it (it counts them against the rate limit itself, in the
# same Redis round trip); the rate limit for everything else; compression; sessions, auth...
# DatabaseUnavailableMiddleware is last: its process_exception turns a view's database outage
# into a 503 before any other handler sees it (eventmate.core.db_outage).
MIDDLEWARE = [
    "eventmate.core.health.ProbeMiddleware",
    "eventmate.core.request_id.RequestIdMiddleware",
    "eventmate.core.timing.RequestTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "eventmate.core.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "eventmate.core.pagecache.PageCacheMiddleware",
    "eventmate.core.ratelimit.RateLimitMiddleware",
    "eventmate.core.compression.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "eventmate.core.middleware.AnonymousWithoutSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "eventmate.core.db_outage.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["eventmate.accounts.backends.UsernameOrEmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

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
                "eventmate.core.context_processors.site",
            ],
        },
    },
]

# --------------------------------------------------------------------------------------------
# Database
# --------------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while a writer commits; IMMEDIATE makes every write transaction take
    # the write lock up front, so read-then-write services serialise instead of failing with
    # "database is locked" half-way through.
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            ),
        }
    )
else:
    _db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", 3))
    # Typo-tolerant search (events.selectors) keeps titles whose pg_trgm word similarity to a
    # keyword is at least this; the extension's default, 0.6, misses "festval" → "festival".
    # Behind a pooler that drops startup options, use ALTER ROLE … SET instead.
    _db["OPTIONS"].setdefault("options", "-c pg_trgm.word_similarity_threshold=0.5")
    if env.bool("DB_POOL", default=False):
        # psycopg's pool, one per process, instead of one persistent connection per thread
        # (BENCHMARKS.md compares both). Django requires CONN_MAX_AGE=0 with a pool.
        _db["CONN_MAX_AGE"] = 0
        _db["CONN_HEALTH_CHECKS"] = False
        _db["OPTIONS"]["pool"] = {
            "min_size": 1,
            "max_size": env.int("DB_POOL_MAX_SIZE", default=4),
            "timeout": env.int("DB_CONNECT_TIMEOUT", 3),
        }
# A read replica (PostgreSQL streaming replication) for the listing selectors only: home,
# search, city pages, autocomplete. Everything else, availability and payments included, reads
# the primary (eventmate.core.db_router). Same connection options as the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
DATABASE_READ_REPLICA = "replica" if DATABASE_REPLICA_URL else ""
if DATABASE_REPLICA_URL:
    _replica = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"] = {
        **_db,
        **_replica,
        "OPTIONS": {**_db.get("OPTIONS", {}), **_replica.get("OPTIONS", {})},
    }
DATABASE_ROUTERS = ["eventmate.core.db_router.ReplicaRouter"]
IS_POSTGRES = _db["ENGINE"] == "django.db.backends.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --------------------------------------------------------------------------------------------
# Cache, sessions and Celery
# --------------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="em"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                # Circuit breaker + timing: after a failure Redis is skipped for
                # REDIS_RETRY_SECONDS instead of costing a timeout on every command.
                "REDIS_CLIENT_CLASS": "eventmate.core.redis_client.ResilientRedis",
                # Short timeouts: a dead Redis must cost milliseconds per request, not seconds.
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.1),
                "SOCKET_TIMEOUT": env.float("REDIS_SOCKET_TIMEOUT", default=0.2),
                # The site must keep serving when Redis is down: cache errors become misses.
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "eventmate",
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    }

# cached_db: reads come from the cache, every write also lands in the database, so logins
# survive a Redis restart.
# Messages travel in a cookie, so showing them never opens the session (see core.middleware).
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {  # apps may also add periodic tasks in their AppConfig.ready()
    # Holds are already ignored by availability once overdue; this marks them expired,
    # releases the stored counters and emails their owners.
    "bookings-expire-overdue-holds": {
        "task": "eventmate.bookings.tasks.expire_overdue_holds",
        "schedule": 60.0,
    },
    # Asks the provider about payments whose webhook may have been lost.
    "bookings-reconcile-payments": {
        "task": "eventmate.bookings.tasks.payments_reconcile",
        "schedule": 120.0,
    },
    # Flags ended events so the listing indexes leave them out (events.models.Event.has_ended).
    "events-mark-ended": {"task": "eventmate.events.tasks.events_mark_ended", "schedule": 300.0},
    "payments-retry-refunds": {"task": "eventmate.payments.tasks.refunds_retry", "schedule": 300.0},
}

# --------------------------------------------------------------------------------------------
# Email
# --------------------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
if _email.get("EMAIL_FILE_PATH"):  # filemail:///path: one file of messages per connection
    EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="EventMate <no-reply@eventmate.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --------------------------------------------------------------------------------------------
# Internationalisation
# --------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="USD").upper()

# --------------------------------------------------------------------------------------------
# Static and media files
# --------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names + gzip/brotli copies, served with far-future cache headers by WhiteNoise.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME", default=""),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "file_overwrite": False,
            "querystring_auth": False,
        },
    }
elif MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'filesystem' or 's3'.")
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

# Uploaded images (avatars, event images): checked with Pillow, see eventmate.core.images.
IMAGE_UPLOAD_MAX_BYTES = env.int("IMAGE_UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
IMAGE_UPLOAD_MAX_PIXELS = env.int("IMAGE_UPLOAD_MAX_PIXELS", default=6000)

# --------------------------------------------------------------------------------------------
# Security. Hardening is on whenever DEBUG is off; there is no separate "production" switch.
# --------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The redirect to HTTPS is normally nginx's job (deploy/nginx.conf); turn this on when Django
# is reached directly over the internet.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics/"]
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# --------------------------------------------------------------------------------------------
# EventMate
# --------------------------------------------------------------------------------------------
SITE_NAME = env.str("SITE_NAME", default="EventMate")
# Absolute base for links in emails and tickets (no request is at hand in a Celery task).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
BOOKING_HOLD_MINUTES = env.int("BOOKING_HOLD_MINUTES", default=15)
BOOKING_MAX_TICKETS_PER_ORDER = env.int("BOOKING_MAX_TICKETS_PER_ORDER", default=10)
# Most tickets one account may hold (pending payment) for one event at a time, so a single
# account cannot make an event look sold out.
BOOKING_MAX_HELD_PER_USER = env.int("BOOKING_MAX_HELD_PER_USER", default=10)
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="test")
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Reconciliation asks the provider about payments pending longer than this (lost webhooks).
PAYMENT_RECONCILE_AFTER_SECONDS = env.int("PAYMENT_RECONCILE_AFTER_SECONDS", default=120)
# How long after a hold expired a payment for it may still arrive (a Stripe Checkout Session
# lives at least 30 minutes); reconciliation keeps asking about such bookings this long.
PAYMENT_LATE_WINDOW_MINUTES = env.int("PAYMENT_LATE_WINDOW_MINUTES", default=45)
# The test provider's "delayed confirmation" card settles after this many seconds.
PAYMENT_TEST_SETTLE_SECONDS = env.int("PAYMENT_TEST_SETTLE_SECONDS", default=20)
# Routes /bench/ceiling/, the bare view the benchmark compares every page with (bench/run.py
# sets it). Off in production: it is a yardstick, not a page.
BENCH_CEILING = env.bool("BENCH_CEILING", default=False)

# --------------------------------------------------------------------------------------------
# Production stack: proxies, rate limits, page cache, compression, Redis outages, probes,
# metrics, security headers (eventmate.core; see DEPLOYMENT.md).
# --------------------------------------------------------------------------------------------
# Proxies whose X-Forwarded-For is believed (CIDRs). Loopback by default: nginx on the same
# host; an outside client can never connect from a loopback address.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1/32", "::1/128"])
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1/32", "::1/128"])
for _name in ("TRUSTED_PROXIES", "METRICS_ALLOWED_IPS"):
    try:
        _parsed = [ipaddress.ip_network(cidr.strip(), strict=False) for cidr in globals()[_name]]
    except ValueError as exc:
        raise ImproperlyConfigured(f"{_name}: {exc}") from None
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")

RATELIMIT_ENABLED = env.bool("RATELIMIT_ENABLED", default=True)
RATELIMIT_REQUESTS = env.int("RATELIMIT_REQUESTS", default=100)
RATELIMIT_PERIOD = env.int("RATELIMIT_PERIOD", default=60)
RATELIMIT_AUTH_REQUESTS = env.int("RATELIMIT_AUTH_REQUESTS", default=10)
RATELIMIT_AUTH_PERIOD = env.int("RATELIMIT_AUTH_PERIOD", default=60)
RATELIMIT_EXEMPT_PATHS = ["/health/", "/metrics/", STATIC_URL, MEDIA_URL]

PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=True)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)
PAGE_CACHE_STALE_SECONDS = env.int("PAGE_CACHE_STALE_SECONDS", default=300)
PAGE_CACHE_LOCK_SECONDS = 10
PAGE_CACHE_LOCK_WAIT_MS = 500
PAGE_CACHE_MAX_BYTES = 1024 * 1024

COMPRESSION_GZIP_LEVEL = 6
COMPRESSION_BROTLI_QUALITY = 4  # per response: fast
# Once per cached page. Measured on a 40 KB search page: quality 9 cost ~10 ms per store
# (a fifth of a cold render), quality 5 about 1 ms for a page a few per cent larger.
COMPRESSION_BROTLI_QUALITY_CACHED = 5

REDIS_RETRY_SECONDS = env.float("REDIS_RETRY_SECONDS", default=2.0)
REDIS_OUTAGE_LOG_SECONDS = env.float("REDIS_OUTAGE_LOG_SECONDS", default=60.0)
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=1.0)

SLOW_REQUEST_MS = env.int("SLOW_REQUEST_MS", default=500)
ACCESS_LOG = env.bool("ACCESS_LOG", default=True)
SERVER_TIMING = env.bool("SERVER_TIMING", default=True)

SECURITY_HEADERS_ENABLED = not DEBUG
_img_src = ["'self'", "data:"]
if MEDIA_URL.startswith(("https://", "http://")):
    _img_src.append("/".join(MEDIA_URL.split("/")[:3]))
if MEDIA_STORAGE == "s3" and STORAGES["default"]["OPTIONS"]["custom_domain"]:
    _img_src.append("https://" + STORAGES["default"]["OPTIONS"]["custom_domain"])
_img_src += env.list("CSP_EXTRA_IMG_SRC", default=[])
_form_action = ["'self'"]
if PAYMENT_PROVIDER == "stripe":
    # The booking form's POST is answered with a redirect to Stripe Checkout, and browsers
    # apply form-action to that redirect too.
    _form_action.append("https://checkout.stripe.com")
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": _img_src,
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": _form_action,
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# --------------------------------------------------------------------------------------------
# Logging: one JSON line per record to stdout (see eventmate.core.logging), and to a rotating
# file (10 MB x 10, shared safely by the Gunicorn workers) when LOG_FILE is set.
# --------------------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FILE = env.str("LOG_FILE", default="")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "eventmate.core.logging.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
if LOG_FILE:
    LOGGING["handlers"]["file"] = {
        "()": "eventmate.core.logging.ProcessSafeRotatingFileHandler",
        "filename": LOG_FILE,
        "maxBytes": 10 * 1024 * 1024,
        "backupCount": 10,
        "formatter": "json",
    }
    LOGGING["root"]["handlers"].append("file")
