"""Configuration: one class per environment, overridden by CERTIFY_* environment variables."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("CERTIFY_INSTANCE_DIR", PROJECT_ROOT / "instance"))


def normalise_database_url(url: str) -> str:
    """Accept a plain postgresql:// URL and select the psycopg 3 driver for it."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _dev_secret_key() -> str:
    """A per-installation secret kept under instance/ so that development sessions survive restarts."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Defaults for development: SQLite under instance/, demo data allowed."""

    CERTIFY_ENV = "development"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_DIR / 'certify.db'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False
    # Babel: the product speaks Simplified Chinese first, English second.
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    # CSRF tokens live as long as the login session (a 90-minute exam must not outlive its token).
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # the largest upload: a 20 MB question file (question_bank's own cap) plus the form around it
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024
    # Password hashing (argon2id). OWASP minimum: t=2, m=19 MiB, p=1.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1
    # Login throttling: (free failures, first delay seconds, cap seconds) per key kind; counters forget after 1 h.
    LOGIN_THROTTLE = {
        "ip": (50, 1, 300),
        "user_ip": (5, 1, 900),
        "user": (20, 1, 30),
        "device": (5, 1, 900),
    }
    LOGIN_THROTTLE_WINDOW = timedelta(hours=1)
    LOGIN_SESSION_LIFETIME = timedelta(hours=12)
    DEMO_PASSWORD = "certify-demo"
    PHOTO_MAX_BYTES = 2 * 1024 * 1024
    PHOTO_MIN_SIZE = (295, 413)  #: 1-inch photo at 300 dpi (25 × 35 mm)
    SCHEDULER_LOCK_ID = 7_304_215_001
    # Theory exams (DOMAIN.md): ≥ 90 minutes, ≥ 1 invigilator per 15 candidates and ≥ 2 per room; saves are
    # accepted until the deadline + the tolerance; the sweep closes overdue attempts in batches.
    EXAM_MIN_DURATION_MINUTES = 90
    EXAM_CANDIDATES_PER_INVIGILATOR = 15
    EXAM_MIN_INVIGILATORS_PER_ROOM = 2
    EXAM_SAVE_TOLERANCE_SECONDS = 60
    EXAM_SWEEP_BATCH_SIZE = 200
    EXAM_CHECK_IN_OPENS_MINUTES = 60  #: check-in and start authorisation open this long before the window

    @property
    def is_production(self) -> bool:
        return self.CERTIFY_ENV == "production"


class ProductionConfig(Config):
    """Production: a secret key and a database URL must come from the environment."""

    CERTIFY_ENV = "production"
    SESSION_COOKIE_SECURE = True


class TestingConfig(Config):
    """Tests: cheap password hashing (the production parameters are asserted separately) and no CSRF shortcuts."""

    CERTIFY_ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024


CONFIGS = {"development": Config, "production": ProductionConfig, "testing": TestingConfig}

_ENV_OVERRIDES = {
    "CERTIFY_SECRET_KEY": "SECRET_KEY",
    "CERTIFY_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "CERTIFY_DEMO_PASSWORD": "DEMO_PASSWORD",
    "CERTIFY_TIMEZONE": "BABEL_DEFAULT_TIMEZONE",
    # review thresholds for item statistics (certify.bank.statistics_ops reads them, with DOMAIN defaults)
    "CERTIFY_ITEM_FLAG_FACILITY_HIGH": "CERTIFY_ITEM_FLAG_FACILITY_HIGH",
    "CERTIFY_ITEM_FLAG_FACILITY_LOW": "CERTIFY_ITEM_FLAG_FACILITY_LOW",
    "CERTIFY_ITEM_FLAG_DISCRIMINATION_MIN": "CERTIFY_ITEM_FLAG_DISCRIMINATION_MIN",
    "CERTIFY_ITEM_FLAG_DISTRACTOR_MARGIN": "CERTIFY_ITEM_FLAG_DISTRACTOR_MARGIN",
    "CERTIFY_EXAM_MIN_DURATION_MINUTES": "EXAM_MIN_DURATION_MINUTES",
    "CERTIFY_EXAM_CANDIDATES_PER_INVIGILATOR": "EXAM_CANDIDATES_PER_INVIGILATOR",
    "CERTIFY_EXAM_MIN_INVIGILATORS_PER_ROOM": "EXAM_MIN_INVIGILATORS_PER_ROOM",
    "CERTIFY_EXAM_SAVE_TOLERANCE_SECONDS": "EXAM_SAVE_TOLERANCE_SECONDS",
    "CERTIFY_EXAM_SWEEP_BATCH_SIZE": "EXAM_SWEEP_BATCH_SIZE",
    "CERTIFY_EXAM_CHECK_IN_OPENS_MINUTES": "EXAM_CHECK_IN_OPENS_MINUTES",
}


def build_config(config_object=None) -> dict:
    """The settings for an app: the class for CERTIFY_ENV (or the one given), then CERTIFY_* overrides."""
    overrides = config_object if isinstance(config_object, dict) else {}
    if config_object is None or isinstance(config_object, dict):
        env = overrides.get("CERTIFY_ENV") or os.environ.get("CERTIFY_ENV", "development")
        if env not in CONFIGS:
            raise RuntimeError(f"CERTIFY_ENV={env!r} is not one of {', '.join(CONFIGS)}")
        config_object = CONFIGS[env]
    settings = {key: getattr(config_object, key) for key in dir(config_object) if key.isupper()}
    for env_name, key in _ENV_OVERRIDES.items():
        if os.environ.get(env_name):
            settings[key] = os.environ[env_name]
    settings.update(overrides)
    settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(settings["SQLALCHEMY_DATABASE_URI"])
    if not settings.get("SECRET_KEY"):
        if settings["CERTIFY_ENV"] == "production":
            raise RuntimeError("CERTIFY_SECRET_KEY must be set in production")
        settings["SECRET_KEY"] = _dev_secret_key()
    return settings
