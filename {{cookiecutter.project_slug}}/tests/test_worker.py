"""End to end: enqueue with queue_job, run `python worker.py --burst` as a real process
against the test Redis, and check the database, the job and the delivered mail."""

import os
import subprocess
import sys
from email import message_from_bytes
from pathlib import Path

import pytest
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from app import create_app
from app.extensions import db
from app.models import Payment
from app.services.queue import queue_job
from tests.conftest import add_payment
from tests.database import database_url_for_processes
from tests.servers import SmtpCapture

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WORKER_CLASSES = ["rq.Worker", "rq.worker.SimpleWorker"]

# Seconds a burst worker may take before the test fails; it needs well under one.
WORKER_TIMEOUT = 60

pytestmark = pytest.mark.worker


@pytest.fixture
def smtp_server():
    with SmtpCapture() as server:
        yield server


@pytest.fixture
def shared_app(tmp_path, redis_client, redis_server):
    """An app on a database that the worker process opens too: a SQLite file or the server."""
    database_url = database_url_for_processes(tmp_path)
    app = create_app(
        {
            "APP_ENV": "testing",
            "REDIS_URL": redis_server.url,
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
    )
    with app.app_context():
        db.create_all()

    yield app

    with app.app_context():
        db.drop_all()
        db.engine.dispose()
    app.extensions["redis"].close()


def run_worker(app, smtp_server, tmp_path, *args):
    """Run `python worker.py --burst ARGS` from an unrelated directory; return its output."""
    env = {
        **os.environ,
        "APP_ENV": "development",
        "SECRET_KEY": "worker-test-secret",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
        "MAIL_USE_TLS": "false",
        "MAIL_USE_SSL": "false",
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
    }
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(exist_ok=True)

    completed = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "worker.py"), "--burst", *args],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    return output


def fetch(job_id, redis_client):
    return Job.fetch(job_id, connection=redis_client, serializer=JSONSerializer)


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_worker_delivers_receipt(shared_app, smtp_server, redis_client, tmp_path, worker_class):
    user_id, payment_id = add_payment(shared_app)
    with shared_app.app_context():
        job = queue_job("send_payment_receipt_job", user_id=user_id, payment_id=payment_id)

    output = run_worker(shared_app, smtp_server, tmp_path, "--worker-class", worker_class)

    finished = fetch(job.id, redis_client)
    assert finished.get_status() == JobStatus.FINISHED, output
    assert finished.return_value() == {"payment_id": payment_id, "sent": True}
    assert f"job {job.id}: started send_payment_receipt_job" in output
    assert f"job {job.id}: finished send_payment_receipt_job" in output

    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["ada@example.com"]
    message = message_from_bytes(envelope.original_content)
    assert message["Subject"] == f"Your receipt for payment #{payment_id}"

    with shared_app.app_context():
        assert db.session.get(Payment, payment_id).receipt_sent_at is not None


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_worker_receipt_sent_once(shared_app, smtp_server, redis_client, tmp_path, worker_class):
    user_id, payment_id = add_payment(shared_app)
    with shared_app.app_context():
        first = queue_job("send_payment_receipt_job", user_id=user_id, payment_id=payment_id)
        second = queue_job("send_payment_receipt_job", user_id=user_id, payment_id=payment_id)

    run_worker(shared_app, smtp_server, tmp_path, "--worker-class", worker_class)

    assert fetch(first.id, redis_client).return_value()["sent"] is True
    assert fetch(second.id, redis_client).return_value()["sent"] is False
    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
@pytest.mark.parametrize("fail", [True, False], ids=["raises", "returns"])
def test_worker_jobs_share_no_state(
    shared_app, smtp_server, redis_client, tmp_path, worker_class, fail
):
    with shared_app.app_context():
        first = queue_job("leave_state_behind_job", email="ghost@example.com", fail=fail)
        second = queue_job("inspect_state_job", email="ghost@example.com")

    output = run_worker(shared_app, smtp_server, tmp_path, "--worker-class", worker_class)

    expected_first = JobStatus.FAILED if fail else JobStatus.FINISHED
    assert fetch(first.id, redis_client).get_status() == expected_first, output
    state = fetch(second.id, redis_client).return_value()
    assert state == {"g": None, "pending_in_session": 0, "user_rows": 0}, output
    if fail:
        assert f"job {first.id}: leave_state_behind_job failed" in output


def test_worker_rejects_bad_class(shared_app, smtp_server, tmp_path):
    env = {**os.environ, "REDIS_URL": shared_app.config["REDIS_URL"]}

    completed = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "worker.py"), "--burst", "--worker-class", "rq.Nope"],
        env=env,
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT,
    )

    assert completed.returncode != 0
    assert "Invalid worker class 'rq.Nope'" in completed.stderr
    assert "rq.worker.SimpleWorker" in completed.stderr
