"""End to end: enqueue with queue_job, run `python worker.py --burst` as a real process
against the test Redis, and check the database, the job and the delivered mail."""

import subprocess
import sys
from email import message_from_bytes

import pytest
from rq.job import JobStatus

from app.extensions import db
from app.models import Payment
from app.services.queue import queue_job
from tests.conftest import add_payment
from tests.workers import (
    PROJECT_ROOT,
    WAIT_TIMEOUT,
    WORKER_CLASSES,
    fetch,
    run_burst_worker,
    worker_env,
)

pytestmark = pytest.mark.worker


def run_worker(app, smtp_server, tmp_path, *args):
    """Run `python worker.py --burst ARGS` from an unrelated directory; return its output."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    return run_burst_worker(worker_env(app, smtp_server.port), elsewhere, *args)


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


def start_worker_expecting_error(env, *args):
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "worker.py"), "--burst", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT_TIMEOUT,
    )


def test_worker_rejects_bad_class(shared_app):
    completed = start_worker_expecting_error(worker_env(shared_app), "--worker-class", "rq.Nope")

    assert completed.returncode == 1
    assert "Invalid worker class 'rq.Nope'" in completed.stderr
    assert "rq.worker.SimpleWorker" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_worker_production_needs_secret_key(shared_app):
    env = worker_env(shared_app, APP_ENV="production", SECRET_KEY="")

    completed = start_worker_expecting_error(env)

    assert completed.returncode == 1
    assert "worker.py: SECRET_KEY is not set" in completed.stderr
    assert "Traceback" not in completed.stderr
