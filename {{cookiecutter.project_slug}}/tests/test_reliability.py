"""What happens when things go wrong, against a real Redis and real worker processes:
retries, timeouts, SMTP failures, killed workers, SIGTERM, and Redis outages."""

import os
import re
import signal
import time
from datetime import UTC, datetime, timedelta

import pytest
from rq.job import JobStatus
from rq.registry import StartedJobRegistry

from app import create_app
from app.extensions import db
from app.models import Payment
from app.services.queue import QueueUnavailableError, get_queue, queue_job
from app.services.registry import registered_jobs
from tests.conftest import add_payment, add_user
from tests.servers import PrivateRedis, SilentServer, SmtpCapture, free_port
from tests.workers import (
    WORKER_CLASSES,
    WorkerProcess,
    fetch,
    run_burst_worker,
    wait_until,
    worker_env,
)

pytestmark = pytest.mark.worker

# How many times the SIGKILL tests kill a job in the middle.
KILL_TRIALS = 5


def enqueue(app, name, **kwargs):
    with app.app_context():
        return queue_job(name, **kwargs)


def wait_for_retry_time(job_id, app):
    """Sleep until the scheduled retry of `job_id` is due; return when that is."""
    with app.app_context():
        run_at = get_queue().scheduled_job_registry.get_scheduled_time(job_id)
    delay = (run_at - datetime.now(UTC)).total_seconds()
    time.sleep(max(delay, 0) + 0.1)
    return run_at


def parent_pid(pid):
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def wait_for_job_start(redis_client, key):
    """Wait until a tracked job records its pid under `key:pid`; return that pid."""
    return int(wait_until(lambda: redis_client.lindex(f"{key}:pid", -1), f"job {key} to start"))


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_retry_transient_failure(shared_app, redis_client, tmp_path, worker_class):
    job = enqueue(shared_app, "flaky_job", key="flaky", failures=1)
    env = worker_env(shared_app)

    before_first = datetime.now(UTC)
    first = run_burst_worker(env, tmp_path, "--worker-class", worker_class)
    after_first = datetime.now(UTC)
    scheduled = fetch(job.id, redis_client)
    status_after_first = scheduled.get_status()
    run_at = wait_for_retry_time(job.id, shared_app)
    second = run_burst_worker(env, tmp_path, "--worker-class", worker_class)

    assert status_after_first == JobStatus.SCHEDULED, first
    assert scheduled.retries_left == 1
    # flaky_job retries after 1 second; RQ stores the time in whole seconds.
    earliest = before_first.replace(microsecond=0) + timedelta(seconds=1)
    assert earliest <= run_at <= after_first + timedelta(seconds=1)
    assert f"job {job.id}: flaky_job failed: ConnectionError" in first
    finished = fetch(job.id, redis_client)
    assert finished.get_status() == JobStatus.FINISHED, second
    assert finished.return_value() == 2


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_retry_exhausted_fails(shared_app, redis_client, tmp_path, worker_class):
    job = enqueue(shared_app, "flaky_job", key="hopeless", failures=99)
    env = worker_env(shared_app)

    run_burst_worker(env, tmp_path, "--worker-class", worker_class)
    for _ in range(2):
        wait_for_retry_time(job.id, shared_app)
        run_burst_worker(env, tmp_path, "--worker-class", worker_class)

    failed = fetch(job.id, redis_client)
    assert failed.get_status() == JobStatus.FAILED
    assert redis_client.get("hopeless") == b"3"
    with shared_app.app_context():
        assert job.id in get_queue().failed_job_registry
    error = failed.latest_result().exc_string
    assert "Traceback" in error
    assert "attempt 3 of 'hopeless' fails on purpose" in error


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_job_timeout_stops_job(shared_app, redis_client, tmp_path, worker_class):
    job = enqueue(shared_app, "overrunning_job", seconds=30)

    started = time.monotonic()
    output = run_burst_worker(worker_env(shared_app), tmp_path, "--worker-class", worker_class)
    elapsed = time.monotonic() - started

    failed = fetch(job.id, redis_client)
    assert failed.get_status() == JobStatus.FAILED, output
    assert "JobTimeoutException" in failed.latest_result().exc_string
    assert elapsed < 20


def test_mail_timeout_below_job_timeout(app):
    spec = registered_jobs()["send_payment_receipt_job"]

    assert app.config["MAIL_TIMEOUT"] < spec.timeout


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_smtp_hang_fails_fast(shared_app, redis_client, tmp_path, worker_class):
    user_id, payment_id = add_payment(shared_app)
    job = enqueue(shared_app, "send_payment_receipt_job", user_id=user_id, payment_id=payment_id)

    with SilentServer() as silent:
        env = worker_env(shared_app, silent.port, MAIL_TIMEOUT=1)
        started = time.monotonic()
        output = run_burst_worker(env, tmp_path, "--worker-class", worker_class)
        elapsed = time.monotonic() - started

    assert elapsed < 20
    # smtplib reports the read timeout as SMTPServerDisconnected("...: timed out").
    assert re.search(f"job {job.id}: send_payment_receipt_job failed: .*timed out", output)
    assert fetch(job.id, redis_client).get_status() == JobStatus.SCHEDULED
    with shared_app.app_context():
        assert db.session.get(Payment, payment_id).receipt_sent_at is None


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_smtp_temporary_failure_sends_once(shared_app, redis_client, tmp_path, worker_class):
    user_id, payment_id = add_payment(shared_app)
    job = enqueue(shared_app, "send_payment_receipt_job", user_id=user_id, payment_id=payment_id)

    with SmtpCapture(reject=1) as smtp:
        env = worker_env(shared_app, smtp.port)
        first = run_burst_worker(env, tmp_path, "--worker-class", worker_class)
        assert smtp.rejected == 1
        assert smtp.messages == []
        assert fetch(job.id, redis_client).get_status() == JobStatus.SCHEDULED, first

        # Run the retry now instead of after the job's 10-second retry interval.
        with shared_app.app_context():
            queue = get_queue()
            queue.scheduled_job_registry.remove(job.id)
            queue.enqueue_job(fetch(job.id, redis_client))
        run_burst_worker(env, tmp_path, "--worker-class", worker_class)
        again = enqueue(
            shared_app, "send_payment_receipt_job", user_id=user_id, payment_id=payment_id
        )
        run_burst_worker(env, tmp_path, "--worker-class", worker_class)

    assert "451" in first
    assert fetch(job.id, redis_client).return_value() == {"payment_id": payment_id, "sent": True}
    assert fetch(again.id, redis_client).return_value()["sent"] is False
    assert len(smtp.messages) == 1


def kill_horse(worker, redis_client, key):
    horse = wait_for_job_start(redis_client, key)
    assert parent_pid(horse) == worker.process.pid, "the job did not run in a horse of ours"
    os.kill(horse, signal.SIGKILL)


def test_sigkill_horse_retries_job(shared_app, redis_client, tmp_path):
    env = worker_env(shared_app)

    with WorkerProcess(env, tmp_path / "worker.log", "--worker-class", "rq.Worker") as worker:
        jobs = []
        for trial in range(KILL_TRIALS):
            key = f"trial-{trial}"
            job = enqueue(shared_app, "tracked_job", key=key, seconds=1.0)
            kill_horse(worker, redis_client, key)
            wait_until(
                lambda job=job: fetch(job.id, redis_client).get_status() == JobStatus.FINISHED,
                f"job {job.id} to finish after its retry",
            )
            jobs.append((key, job))

    for key, _ in jobs:
        assert redis_client.llen(f"{key}:pid") == 2, worker.output
        assert redis_client.get(f"{key}:done") == b"1"
    assert worker.output.count("Work-horse terminated unexpectedly") == KILL_TRIALS


def test_sigkill_horse_without_retries_fails(shared_app, redis_client, tmp_path):
    env = worker_env(shared_app)

    with WorkerProcess(env, tmp_path / "worker.log", "--worker-class", "rq.Worker") as worker:
        job = enqueue(shared_app, "untried_tracked_job", key="once", seconds=5.0)
        kill_horse(worker, redis_client, "once")
        wait_until(
            lambda: fetch(job.id, redis_client).get_status() == JobStatus.FAILED,
            f"job {job.id} to fail",
        )

    error = fetch(job.id, redis_client).latest_result().exc_string
    assert "Work-horse terminated unexpectedly" in error
    assert redis_client.get("once:done") is None


@pytest.mark.parametrize(
    ("job_name", "expected"),
    [("tracked_job", JobStatus.FINISHED), ("untried_tracked_job", JobStatus.FAILED)],
    ids=["retried", "no-retries"],
)
def test_sigkill_worker_job_not_lost(shared_app, redis_client, tmp_path, job_name, expected):
    env = worker_env(shared_app)
    job = enqueue(shared_app, job_name, key="killed", seconds=30.0)

    with WorkerProcess(
        env, tmp_path / "worker.log", "--worker-class", "rq.worker.SimpleWorker"
    ) as worker:
        wait_for_job_start(redis_client, "killed")
        worker.kill_group()
        worker.wait()

    registry = StartedJobRegistry(queue=get_queue_for(shared_app))
    abandoned = fetch(job.id, redis_client)
    assert abandoned.get_status() == JobStatus.STARTED
    assert job.id in registry.get_job_ids(cleanup=False)

    # RQ gives up on the job when its heartbeat expires: for SimpleWorker the job timeout
    # plus 60 s. Clean up as of that moment instead of waiting for it.
    entries = redis_client.zrange(registry.key, 0, -1, withscores=True)
    expires_at = max(score for _, score in entries)
    assert expires_at - time.time() <= abandoned.timeout + 60
    registry.cleanup(timestamp=expires_at + 1)
    run_burst_worker(env, tmp_path, "--worker-class", "rq.worker.SimpleWorker")

    ended = fetch(job.id, redis_client)
    assert ended.get_status() == expected
    if expected == JobStatus.FAILED:
        assert "AbandonedJobError" in ended.latest_result().exc_string


def get_queue_for(app):
    with app.app_context():
        return get_queue()


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_sigterm_finishes_running_job(shared_app, redis_client, tmp_path, worker_class):
    env = worker_env(shared_app)
    job = enqueue(shared_app, "untried_tracked_job", key="graceful", seconds=2.0)

    with WorkerProcess(env, tmp_path / "worker.log", "--worker-class", worker_class) as worker:
        wait_for_job_start(redis_client, "graceful")
        worker.signal(signal.SIGTERM)
        status = worker.wait()

    assert status == 0, worker.output
    assert fetch(job.id, redis_client).get_status() == JobStatus.FINISHED
    assert redis_client.get("graceful:done") == b"1"
    assert "stopping on request" in worker.output


def unreachable_redis_app(port):
    """A testing app whose REDIS_URL points at a closed port on 127.0.0.1."""
    return create_app(
        {
            "APP_ENV": "testing",
            "REDIS_URL": f"redis://127.0.0.1:{port}/0",
            "REDIS_SOCKET_TIMEOUT": 1,
        }
    )


def test_enqueue_redis_down_raises():
    port = free_port()
    app = unreachable_redis_app(port)

    with app.app_context(), pytest.raises(QueueUnavailableError) as excinfo:
        queue_job("send_payment_receipt_job", user_id=1, payment_id=1)

    message = str(excinfo.value)
    assert f"Redis at 127.0.0.1:{port} db 0 did not respond" in message
    assert "REDIS_URL" in message


def test_create_payment_redis_down_503():
    app = unreachable_redis_app(free_port())
    with app.app_context():
        db.create_all()
    user_id = add_user(app)

    response = app.test_client().post("/payments", json={"user_id": user_id, "amount_cents": 700})

    assert response.status_code == 503
    assert "job queue is unavailable" in response.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 0
        # End the session's transaction first: on PostgreSQL its read lock blocks DROP TABLE.
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_worker_resumes_after_redis_restart(tmp_path):
    redis = PrivateRedis().start()
    app = create_app(
        {
            "APP_ENV": "testing",
            "REDIS_URL": redis.url,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'restart.sqlite'}",
        }
    )

    try:
        with WorkerProcess(worker_env(app), tmp_path / "worker.log") as worker:
            # Idle means waiting for a job, after the start-up registry clean-up. RQ retries
            # a lost connection only there; elsewhere it stops the worker (BACKGROUND_JOBS.md).
            wait_until(lambda: "cleaning registries" in worker.output, "the worker to be idle")
            time.sleep(0.5)
            redis.stop()
            time.sleep(2)
            redis.start()
            job = enqueue(app, "flaky_job", key="after-restart", failures=0)
            wait_until(
                lambda: fetch(job.id, app.extensions["redis"]).get_status() == JobStatus.FINISHED,
                "the job enqueued after the restart to finish",
            )
    finally:
        app.extensions["redis"].close()
        redis.stop()

    assert "could not connect to Redis" in worker.output


def test_idle_worker_cleans_registries(shared_app, tmp_path):
    """An idle worker wakes every RQ_WORKER_TTL - 15 s and then cleans the registries when
    RQ_MAINTENANCE_INTERVAL has passed; that is when abandoned jobs are noticed."""
    env = worker_env(shared_app, RQ_WORKER_TTL=17, RQ_MAINTENANCE_INTERVAL=1)

    with WorkerProcess(env, tmp_path / "worker.log") as worker:
        started = time.monotonic()
        wait_until(
            lambda: worker.output.count("cleaning registries") >= 3,
            "three registry clean-ups of an idle worker",
            timeout=20,
        )

    assert time.monotonic() - started < 20
