"""The application factory."""

import logging
import os

import click
from dotenv import load_dotenv
from flask import Flask, jsonify
from flask.cli import with_appcontext
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException

from app.config import PROJECT_ROOT, environment_settings
{%- if cookiecutter.use_migrations %}
from app.extensions import db, mail, migrate
{%- else %}
from app.extensions import db, mail
{%- endif %}
from app.services import after_commit, queue  # noqa: F401 (after_commit registers events)
from app.services.commands import jobs_cli
from app.services.queue import QueueUnavailableError

logger = logging.getLogger(__name__)


def create_app(config=None):
    """Create the app: settings, extensions, blueprints, error handlers and CLI commands.

    Settings come from the environment, after loading the project's `.env`, for the
    environment named by `APP_ENV` or `config["APP_ENV"]` (default production). Then
    `config` overrides single keys, as tests do. Raises RuntimeError in production when
    `SECRET_KEY` is not set or blank, and ValueError for an unknown environment.
    """
    load_dotenv(PROJECT_ROOT / ".env")
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"))

    env = (config or {}).get("APP_ENV") or os.environ.get("APP_ENV", "production")
    app.config.from_mapping(environment_settings(env), APP_ENV=env)
    app.config.from_mapping(config or {})
    _check_secret_key(app)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    mail.init_app(app)
{%- if cookiecutter.use_migrations %}
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
{%- endif %}
    queue.init_app(app)

    from app import jobs, payments

    app.register_blueprint(payments.bp)
    app.register_blueprint(jobs.bp)

    _register_error_handlers(app)
    app.cli.add_command(init_db_command)
    app.cli.add_command(add_user_command)
    app.cli.add_command(jobs_cli)
    return app


def _check_secret_key(app):
    if app.config["APP_ENV"] == "production" and not (app.config.get("SECRET_KEY") or "").strip():
        raise RuntimeError(
            "SECRET_KEY is not set, so the app cannot start in production. Set the "
            "SECRET_KEY environment variable to a long random value, for example the output "
            "of: python -c 'import secrets; print(secrets.token_hex(32))'"
        )


def _register_error_handlers(app):
    @app.errorhandler(HTTPException)
    def http_error(error):
        return jsonify(error=error.name, message=error.description), error.code

    @app.errorhandler(QueueUnavailableError)
    @app.errorhandler(RedisError)
    def queue_unavailable(error):
        logger.error("Redis request failed: %s", error)
        message = "The job queue is unavailable, so nothing was saved. Try again shortly."
        return jsonify(error="Service Unavailable", message=message), 503


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database tables that do not exist yet."""
    db.create_all()
    click.echo(f"Created missing tables in {db.engine.url.render_as_string(hide_password=True)}")


@click.command("add-user")
@click.argument("email")
@click.argument("name")
@with_appcontext
def add_user_command(email, name):
    """Add a user with EMAIL and NAME, and print the new user's id."""
    from app.models import User

    if db.session.scalar(db.select(User).filter_by(email=email)) is not None:
        raise click.BadParameter(f"A user with email {email!r} exists already.", param_hint="EMAIL")

    user = User(email=email, name=name)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Added user {user.id} <{email}>")
