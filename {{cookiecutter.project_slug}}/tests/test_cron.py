"""Periodic jobs: RQ's cron scheduler enqueues them as JSON, and a real worker runs them."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from rq.cron import CronScheduler
from rq.exceptions import DeserializationError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from app import create_app
from app.extensions import db
from app.models import Payment, utc_now
from app.services.cron_scheduler import AppCronScheduler
from app.services.periodic_jobs import (
    UNSENT_RECEIPTS_AGE,
    register_periodic_jobs,
    report_unsent_receipts_job,
)
from app.services.queue import get_queue
from tests.conftest import add_payment
from tests.database import database_url_for_processes
from tests.servers import SmtpCapture
from tests.test_worker import run_worker

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Seconds `python cron.py` may take to enqueue its first job, and to exit after SIGTERM.
CRON_TIMEOUT = 20

JOB_PATH = "app.services.periodic_jobs.report_unsent_receipts_job"


def fetch(job_id, redis_client):
    return Job.fetch(job_id, connection=redis_client, serializer=JSONSerializer)


def queued_job_ids(app):
    with app.app_context():
        return get_queue().job_ids


def test_stock_cron_pickles_jobs(app, redis_client):
    """rq's own CronJob stores jobs with pickle, which the worker's JSON serializer cannot
    read. When this fails, rq passes a serializer: AppCronJob may then be dropped."""
    scheduler = CronScheduler(connection=redis_client)
    scheduler.register(
        report_unsent_receipts_job, "default", interval=60, kwargs={"older_than_minutes": 1}
    )

    scheduler.enqueue_jobs()

    [job_id] = queued_job_ids(app)
    with pytest.raises(DeserializationError):
        _ = fetch(job_id, redis_client).kwargs


def test_cron_job_stored_as_json(app, redis_client):
    scheduler = AppCronScheduler(app)
    register_periodic_jobs(scheduler)

    [cron_job] = scheduler.enqueue_jobs()

    [job_id] = queued_job_ids(app)
    job = fetch(job_id, redis_client)
    assert job.func_name == JOB_PATH
    assert job.kwargs == {"older_than_minutes": UNSENT_RECEIPTS_AGE}
    assert job.timeout == 60
    assert cron_job.get_job_ids(redis_client) == [job_id]


def test_cron_register_rejects_plain_function(app):
    scheduler = AppCronScheduler(app)

    with pytest.raises(ValueError, match="is not a registered background job"):
        scheduler.register(print, interval=60)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "missing a required argument: 'older_than_minutes'"),
        ({"older_than_minutes": float("nan")}, "Out of range float values"),
    ],
    ids=["missing", "not-json"],
)
def test_cron_register_rejects_kwargs(app, kwargs, expected):
    scheduler = AppCronScheduler(app)

    with pytest.raises(ValueError, match="Invalid kwargs") as excinfo:
        scheduler.register(report_unsent_receipts_job, interval=60, kwargs=kwargs)

    assert expected in str(excinfo.value)


@pytest.fixture
def cron_app(tmp_path, redis_client, redis_server):
    """An app on a database that `cron.py` and the worker process open too."""
    app = create_app(
        {
            "APP_ENV": "testing",
            "REDIS_URL": redis_server.url,
            "SQLALCHEMY_DATABASE_URI": database_url_for_processes(tmp_path),
        }
    )
    with app.app_context():
        db.create_all()

    yield app

    with app.app_context():
        db.drop_all()
        db.engine.dispose()
    app.extensions["redis"].close()


def start_cron(app):
    env = {
        **os.environ,
        "APP_ENV": "development",
        "SECRET_KEY": "cron-test-secret",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
    }
    return subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "cron.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_queued_job(app, process):
    deadline = time.monotonic() + CRON_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        job_ids = queued_job_ids(app)
        if job_ids:
            return job_ids
        time.sleep(0.1)

    return queued_job_ids(app)


@pytest.mark.worker
def test_cron_process_feeds_worker(cron_app, redis_client, tmp_path):
    user_id, payment_id = add_payment(cron_app)
    with cron_app.app_context():
        payment = db.session.get(Payment, payment_id)
        payment.created_at = utc_now() - timedelta(minutes=UNSENT_RECEIPTS_AGE * 2)
        db.session.commit()

    cron = start_cron(cron_app)
    try:
        job_ids = wait_for_queued_job(cron_app, cron)
    finally:
        cron.send_signal(signal.SIGTERM)
        cron_output, _ = cron.communicate(timeout=CRON_TIMEOUT)

    assert cron.returncode == 0, cron_output
    assert len(job_ids) == 1, cron_output
    assert fetch(job_ids[0], redis_client).func_name == JOB_PATH

    with SmtpCapture() as smtp_server:
        worker_output = run_worker(cron_app, smtp_server, tmp_path)

    finished = fetch(job_ids[0], redis_client)
    assert finished.get_status() == JobStatus.FINISHED, worker_output
    assert finished.return_value() == {"unsent": 1, "payment_ids": [payment_id]}
    assert f"job {job_ids[0]}: 1 payments older than" in worker_output
