"""PostgreSQL: a forked work horse opens its own database connection, not its parent's.

After fork() a pooled connection of the parent would share one socket, and one server
session, between two processes. `pg_backend_pid()` names the server process of a
connection, so equal numbers in the parent and in a job would mean a shared connection.
"""

import warnings

from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from app.extensions import db
from app.services.queue import queue_job
from app.services.registry import background_job
from app.services.worker import build_worker


@background_job(retries=0)
def database_backend_pid_job() -> int:
    """Return the PostgreSQL server process id of the connection this job uses."""
    return db.session.scalar(db.text("SELECT pg_backend_pid()"))


def backend_pid(app):
    """Return the server process id of a pooled connection of `app`, checked in again."""
    with app.app_context():
        pid = db.session.scalar(db.text("SELECT pg_backend_pid()"))
        db.session.remove()
    return pid


def test_database_is_postgresql(app):
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        schema = db.session.scalar(db.text("SELECT current_schema()"))

    assert schema.startswith("test_")


def test_horse_opens_own_connection(app, redis_client):
    parent_pid = backend_pid(app)
    with app.app_context():
        assert db.engine.pool.checkedin() == 1
        job = queue_job("database_backend_pid_job")

    worker = build_worker(app, "rq.Worker")
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() in a process with threads, such as the fakeredis
        # server's; the horse runs one job and exits.
        warnings.simplefilter("ignore", DeprecationWarning)
        worker.work(burst=True)

    finished = Job.fetch(job.id, connection=redis_client, serializer=JSONSerializer)
    assert finished.get_status() == JobStatus.FINISHED
    horse_pid = finished.return_value()
    assert isinstance(horse_pid, int)
    assert horse_pid != parent_pid
    assert backend_pid(app) == parent_pid
