"""Uzart settings, read from the environment in this one module.

UZART_MODE is ``production`` (default), ``demo`` or ``test``. Production refuses to start when a
required setting is missing; demo and test generate what they need.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
MODE = os.environ.get("UZART_MODE", "production")
if MODE not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"UZART_MODE must be production, demo or test, not {MODE!r}.")
DEMO = MODE == "demo"
TESTING = MODE == "test"


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def _env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    return [part.strip() for part in raw.split(",") if part.strip()] if raw else default


DATA_DIR = Path(os.environ.get("UZART_DATA_DIR", Path.cwd() / "var")).resolve()


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if MODE == "production":
        return ""
    if TESTING:
        return "test-only-" + "x" * 50
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG", DEMO)
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", [])

if MODE == "production":
    _missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL") if not os.environ.get(name)]
    if _missing:
        raise ImproperlyConfigured(
            "Uzart refuses to start in production without: "
            + ", ".join(_missing)
            + ". Set them in the environment (see README, 'Production'), or run the demo with "
            "UZART_MODE=demo."
        )
    if len(SECRET_KEY) < 40:
        raise ImproperlyConfigured("SECRET_KEY must be at least 40 characters long.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")

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
    "ninja",  # the API docs page and its static files
    "django_tasks",
    "django_tasks_db",
    "uzart.core",
    "uzart.accounts",
    "uzart.audit",
    "uzart.outbox",
    "uzart.keystore",
    "uzart.pki",
    "uzart.billing",
    "uzart.workdays",
    "uzart.signing",
    "uzart.renewals",
    "uzart.reminders",
    "uzart.stats",
    "uzart.api",
    "uzart.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "uzart.web.middleware.NulCharacterGuard",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "uzart.web.middleware.EdsSessionMiddleware",
    "uzart.web.middleware.UzartErrorMiddleware",
]

ROOT_URLCONF = "uzart.urls"
WSGI_APPLICATION = "uzart.wsgi.application"

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
                "uzart.web.context_processors.uzart",
                "uzart.reminders.context_processors.notifications",
            ],
        },
    },
]

# Database: SQLite file in the data folder unless DATABASE_URL says otherwise.
_default_sqlite = f"sqlite:///{DATA_DIR / 'uzart.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_sqlite)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue (BEGIN IMMEDIATE) instead of failing; WAL lets readers go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    if not TESTING:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 on purpose is slow; tests create many users and do not test the hasher's cost.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ru"
# Each language is named in itself, as a switcher should show it.
LANGUAGES = [("ky", "Кыргызча"), ("ru", "Русский"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "uzart_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS: list[str] = []  # every app keeps its own catalogue in <app>/locale
TIME_ZONE = "Asia/Bishkek"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = None if TESTING else DATA_DIR / "static"
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if MODE == "production":
    SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEMO
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "uzart@localhost")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))

# Reminders and the outbox (docs/reminders.md). The thresholds are the defaults of the admin-edited policy.
REMINDER_THRESHOLDS_DAYS = [int(d) for d in _env_list("UZART_REMINDER_DAYS", ["30", "14", "7", "3", "1"])]
REMINDER_ACTIVE_LOOKBACK_DAYS = 7  # "your new EDS is active" is sent at most this many days late
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("UZART_OUTBOX_MAX_ATTEMPTS", "8"))
OUTBOX_RETRY_BASE_SECONDS = 60  # then 2, 4, 8, ... minutes, at most OUTBOX_RETRY_MAX_SECONDS
OUTBOX_RETRY_MAX_SECONDS = 6 * 3600
OUTBOX_LEASE_SECONDS = 300  # a delivery being sent is retried after this long if its worker died
OPERATOR_SUMMARY_EMAIL = os.environ.get(
    "UZART_OPERATOR_SUMMARY_EMAIL", ""
)  # default: operator's support e-mail
OPERATOR_SUMMARY_HOUR = int(os.environ.get("UZART_OPERATOR_SUMMARY_HOUR", "8"))  # Bishkek time
# SMS: a JSON-over-HTTPS gateway (URL + bearer token); the console backend in the demo; empty = no SMS.
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_SENDER = os.environ.get("SMS_SENDER", "Uzart")
SMS_BACKEND = os.environ.get(
    "SMS_BACKEND",
    "uzart.outbox.sms.HttpGatewayBackend"
    if SMS_GATEWAY_URL
    else ("" if MODE == "production" else "uzart.outbox.sms.ConsoleBackend"),
)

TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend"
    }
}

# Renewal: the window opens this many days before expiry; the last day to send is counted in working days.
RENEWAL_WINDOW_DAYS = int(os.environ.get("UZART_RENEWAL_WINDOW_DAYS", "30"))
RENEWAL_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
RENEWAL_ATTACHMENT_MAX_FILES = 5
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

# The public base URL, used in e-mails and in certificate extensions (CRL, OCSP, CA issuers).
PUBLIC_BASE_URL = os.environ.get(
    "PUBLIC_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
).rstrip("/")

# PIN (6-12 digits) of the CA keys in the keystore; demo keeps a generated one in DATA_DIR/ca.pin.
CA_PIN = os.environ.get("UZART_CA_PIN", "")

# HMAC-SHA256 key shared with the payment provider (docs/billing.md); empty = webhook answers 503.
PAYMENT_WEBHOOK_SECRET = os.environ.get("PAYMENT_WEBHOOK_SECRET", "")

# Key-encryption key of the encrypted-database keystore: from the environment or a file.
KEYSTORE_KEK_FILE = os.environ.get("UZART_KEK_FILE", str(DATA_DIR / "keystore.kek"))
# Keystore backends, configured like CACHES; a CloudKey row keeps only the alias and the key reference.
KEYSTORE_BACKENDS: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "uzart.keystore.backends.encrypted_db.EncryptedDatabaseBackend", "OPTIONS": {}},
}
if os.environ.get("UZART_PKCS11_PIN"):  # the HSM alias exists only when its user PIN is configured
    KEYSTORE_BACKENDS["hsm"] = {
        "BACKEND": "uzart.keystore.backends.pkcs11.PKCS11Backend",
        "OPTIONS": {
            "module": os.environ.get("UZART_PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so"),
            "token_label": os.environ.get("UZART_PKCS11_TOKEN", "uzart"),
            "user_pin": os.environ["UZART_PKCS11_PIN"],
        },
    }
# Argon2id cost of deriving a key from a PIN (memory in KiB); each key stores the cost it was sealed with.
KEYSTORE_KDF = (
    {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    if TESTING
    else {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 1}
)

# API (docs/api.md): (attempts, window seconds) of failed token checks per client address and of PIN steps
# per user; how long a CSC signature activation (SAD) lives.
API_RATE_LIMITS = {"token_failure": (20, 300), "pin": (10, 900)}
CSC_SAD_SECONDS = int(os.environ.get("UZART_CSC_SAD_SECONDS", "300"))

# A renewal request should be sent this many working days (Kyrgyz calendar) before expiry.
RENEWAL_DEADLINE_WORKING_DAYS = int(os.environ.get("UZART_RENEWAL_DEADLINE_WORKING_DAYS", "3"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # fontTools logs every glyph of every font subset fpdf2 makes at INFO: thousands of lines per PDF.
        "fontTools": {"level": "WARNING"},
    },
}
