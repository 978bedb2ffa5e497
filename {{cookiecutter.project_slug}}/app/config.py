"""Settings for each environment, read from environment variables when the app is created.

`create_app` loads a `.env` file from the project root first (python-dotenv, variables that are
already set win), so the web process and `worker.py` see the same values. `APP_ENV` picks the
environment: development, testing or production (the default, so that a
server started without configuration gets the strict settings).
"""

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

ENVIRONMENTS = ("development", "testing", "production")
{%- if cookiecutter.database == "postgresql" %}

# PostgreSQL database that DATABASE_URL defaults to: on this machine, as user postgres.
DEFAULT_DATABASE_NAME = "{{ cookiecutter.project_slug }}"
DEFAULT_DATABASE_URL = f"postgresql+psycopg://postgres@localhost:5432/{DEFAULT_DATABASE_NAME}"
{%- endif %}


def _flag(name, default):
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def base_settings():
    """Read the settings shared by every environment from `os.environ`."""
    return {
        # Signs sessions and tokens. Production refuses to start without one.
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
{%- if cookiecutter.database == "postgresql" %}
        # SQLAlchemy URL of the PostgreSQL database (psycopg 3 driver).
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
{%- else %}
        # SQLAlchemy URL. The default is a SQLite file in the project's instance folder.
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'instance' / 'app.sqlite'}"
        ),
{%- endif %}
        # Redis server that stores the job queues.
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://localhost:6379/0"),
        # Seconds the web app and jobs wait for Redis to connect or reply before failing.
        "REDIS_SOCKET_TIMEOUT": float(os.environ.get("REDIS_SOCKET_TIMEOUT", "5")),
        # Queues that `worker.py` listens on, highest priority first, comma-separated.
        "RQ_QUEUES": [q.strip() for q in os.environ.get("RQ_QUEUES", "default").split(",")],
        # Seconds a finished job and its result stay in Redis.
        "RQ_RESULT_TTL": int(os.environ.get("RQ_RESULT_TTL", "86400")),
        # Seconds a failed job stays in the failed job registry.
        "RQ_FAILURE_TTL": int(os.environ.get("RQ_FAILURE_TTL", str(7 * 86400))),
        # Seconds between the heartbeats a forking worker sends while a job runs. A job
        # whose worker died is abandoned this long plus RQ's fixed 60 s after its last beat.
        "RQ_JOB_MONITORING_INTERVAL": int(os.environ.get("RQ_JOB_MONITORING_INTERVAL", "10")),
        # Seconds between a worker's registry clean-ups, which move abandoned jobs to a
        # retry or to the failed job registry. RQ's own default is 600.
        "RQ_MAINTENANCE_INTERVAL": int(os.environ.get("RQ_MAINTENANCE_INTERVAL", "60")),
        # Seconds a worker's registration outlives its last heartbeat. An idle worker wakes
        # every RQ_WORKER_TTL - 15 s, and only then runs its clean-up. RQ's default is 420.
        "RQ_WORKER_TTL": int(os.environ.get("RQ_WORKER_TTL", "90")),
        # Outgoing mail. The defaults reach an SMTP server on this machine, port 25.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", "false"),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL", "false"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "noreply@example.com"),
        # smtplib prints every line it sends when true, message bodies and AUTH included.
        # Flask-Mail would otherwise turn it on whenever DEBUG is on.
        "MAIL_DEBUG": _flag("MAIL_DEBUG", "false"),
        # Seconds an SMTP connect or reply may take before the send fails.
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "10")),
        # Host and scheme for `url_for(..., _external=True)` outside a request, as in jobs.
        "SERVER_NAME": os.environ.get("SERVER_NAME", "localhost:5000"),
        "PREFERRED_URL_SCHEME": os.environ.get("PREFERRED_URL_SCHEME", "http"),
    }


def environment_settings(env):
    """Return the settings of `env` on top of `base_settings()`.

    Raises ValueError for an unknown environment name.
    """
    if env not in ENVIRONMENTS:
        raise ValueError(
            f"APP_ENV={env!r} is not a known environment. "
            f"Set it to one of {', '.join(ENVIRONMENTS)}."
        )

    settings = base_settings()

    if env == "development":
        settings["DEBUG"] = True
        # A random key per process: sessions end when the server restarts.
        settings["SECRET_KEY"] = settings["SECRET_KEY"] or secrets.token_hex(32)
    elif env == "testing":
        settings["TESTING"] = True
        settings["SECRET_KEY"] = settings["SECRET_KEY"] or secrets.token_hex(32)
        settings["SQLALCHEMY_DATABASE_URI"] = os.environ.get("TEST_DATABASE_URL", "sqlite://")
        # Flask-Mail records messages in `mail.record_messages()` instead of sending them.
        settings["MAIL_SUPPRESS_SEND"] = True
    elif env == "production":
        settings["PREFERRED_URL_SCHEME"] = os.environ.get("PREFERRED_URL_SCHEME", "https")

    return settings
