import os
from pathlib import Path

import pytest
from flask import has_app_context
from redis import Redis

from app import create_app
from app.extensions import db
from app.models import Payment, User
from app.services import job_context
from tests import probe_jobs  # noqa: F401 (registers the jobs that tests enqueue)
from tests.database import database_url_for_processes, prepare_database
from tests.servers import SmtpCapture, start_fakeredis, start_redis

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_redis = None
_database = None


def pytest_configure(config):
    global _redis, _database
    _database = prepare_database()
    os.environ["TEST_DATABASE_URL"] = _database.url
    _redis = start_redis()


def pytest_unconfigure(config):
    if _redis is not None:
        _redis.stop()
    if _database is not None:
        _database.drop()


def _backends():
    return [f"redis: {_redis.kind} at {_redis.url}", f"database: {_database.description}"]


def pytest_report_header(config):
    return _backends()


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_sep("-", "backends used")
    for line in _backends():
        terminalreporter.write_line(line)


@pytest.fixture
def redis_server():
    """The run's Redis server, or with the fakeredis fallback a fresh server per test."""
    if not _redis.fresh_per_test:
        yield _redis
        return

    server = start_fakeredis(_redis.db)
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server):
    """A client of the test Redis database, emptied before and after the test."""
    client = Redis.from_url(redis_server.url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def open_app(redis_server, **config):
    """Create a testing app on `redis_server` with its tables created."""
    app = create_app({"APP_ENV": "testing", "REDIS_URL": redis_server.url, **config})
    with app.app_context():
        db.create_all()
    return app


def close_app(app):
    """Drop the app's tables and close its database and Redis connections."""
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    app.extensions["redis"].close()


@pytest.fixture
def app(redis_client, redis_server):
    """A testing app with empty tables and an empty Redis database. No context is pushed."""
    app = open_app(redis_server)
    yield app
    close_app(app)


@pytest.fixture
def shared_app(tmp_path, redis_client, redis_server):
    """A testing app on a database that worker processes open too: a SQLite file, or the
    run's PostgreSQL schema. No context is pushed."""
    app = open_app(redis_server, SQLALCHEMY_DATABASE_URI=database_url_for_processes(tmp_path))
    yield app
    close_app(app)


@pytest.fixture
def smtp_server():
    """A capturing SMTP server on 127.0.0.1 for worker processes to send to."""
    with SmtpCapture() as server:
        yield server


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def worker_app(app):
    """Register `app` as the worker app, as `worker.py` does, for jobs called directly."""
    job_context.set_worker_app(app)
    yield app
    job_context.set_worker_app(None)


@pytest.fixture(autouse=True)
def no_app_context_left():
    """Fail a test that leaves an app context pushed: it would hide missing-context bugs."""
    assert not has_app_context(), "an app context was pushed before the test started"
    yield
    assert not has_app_context(), "the test left an app context pushed"


def add_user(app, email="ada@example.com"):
    """Commit a user and return their id."""
    with app.app_context():
        user = User(email=email, name="Ada Lovelace")
        db.session.add(user)
        db.session.commit()
        return user.id


def add_payment(app, email="ada@example.com", amount_cents=1250):
    """Commit a user and a payment of theirs, and return their ids."""
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email=email))
        if user is None:
            user = User(email=email, name="Ada Lovelace")
            db.session.add(user)
        payment = Payment(user=user, amount_cents=amount_cents, currency="EUR")
        db.session.add(payment)
        db.session.commit()
        return user.id, payment.id
