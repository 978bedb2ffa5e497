"""`flask jobs ...` commands, against the test Redis and an in-process RQ worker."""

from app.services.queue import get_queue
from app.services.worker import build_worker
from tests.workers import fetch


def run_queued_jobs(app):
    """Run what is queued with a real RQ SimpleWorker in this process."""
    worker = build_worker(app, "rq.worker.SimpleWorker")
    worker.work(burst=True)
    worker.connection.close()


def test_enqueue_command(app, redis_client):
    result = app.test_cli_runner().invoke(
        args=["jobs", "enqueue", "send_payment_receipt_job", "user_id=1", "payment_id=2"]
    )

    assert result.exit_code == 0, result.output
    job = fetch(result.output.strip(), redis_client)
    assert job.kwargs == {"user_id": 1, "payment_id": 2}


def test_enqueue_command_string_value(app, redis_client):
    result = app.test_cli_runner().invoke(
        args=["jobs", "enqueue", "inspect_state_job", "email=ada@example.com"]
    )

    assert result.exit_code == 0, result.output
    assert fetch(result.output.strip(), redis_client).kwargs == {"email": "ada@example.com"}


def test_enqueue_command_unknown_job(app, redis_client):
    result = app.test_cli_runner().invoke(args=["jobs", "enqueue", "send_reciept_job"])

    assert result.exit_code == 1
    assert "No background job named 'send_reciept_job'" in result.output
    assert "send_payment_receipt_job" in result.output
    assert redis_client.keys("*") == []


def test_enqueue_command_bad_argument(app, redis_client):
    runner = app.test_cli_runner()

    missing = runner.invoke(args=["jobs", "enqueue", "send_payment_receipt_job", "user_id=1"])
    malformed = runner.invoke(args=["jobs", "enqueue", "send_payment_receipt_job", "user_id"])

    assert missing.exit_code == 1
    assert "missing a required argument: 'payment_id'" in missing.output
    assert malformed.exit_code == 2
    assert "'user_id' is not NAME=VALUE" in malformed.output
    assert redis_client.keys("*") == []


def test_failed_and_requeue_commands(worker_app, redis_client):
    runner = worker_app.test_cli_runner()
    enqueued = runner.invoke(
        args=["jobs", "enqueue", "leave_state_behind_job", "email=x@example.com", "fail=true"]
    )
    job_id = enqueued.output.strip()
    run_queued_jobs(worker_app)

    listed = runner.invoke(args=["jobs", "failed"])
    requeued = runner.invoke(args=["jobs", "requeue", job_id])

    assert job_id in listed.output
    assert "tests.probe_jobs.leave_state_behind_job" in listed.output
    assert "RuntimeError: fails on purpose after adding 'x@example.com'" in listed.output
    assert requeued.exit_code == 0, requeued.output
    assert "Requeued 1 job(s)." in requeued.output
    assert fetch(job_id, redis_client).get_status() == "queued"
    with worker_app.app_context():
        assert get_queue().failed_job_registry.count == 0


def test_requeue_command_all(worker_app, redis_client):
    runner = worker_app.test_cli_runner()
    for email in ["a@example.com", "b@example.com"]:
        runner.invoke(
            args=["jobs", "enqueue", "leave_state_behind_job", f"email={email}", "fail=true"]
        )
    run_queued_jobs(worker_app)

    result = runner.invoke(args=["jobs", "requeue", "--all"])

    assert "Requeued 2 job(s)." in result.output
    with worker_app.app_context():
        assert get_queue().count == 2


def test_requeue_command_unknown_id(app, redis_client):
    runner = app.test_cli_runner()

    unknown = runner.invoke(args=["jobs", "requeue", "no-such-job"])
    neither = runner.invoke(args=["jobs", "requeue"])

    assert unknown.exit_code == 1
    assert "Not in a failed job registry: no-such-job" in unknown.output
    assert neither.exit_code == 2
    assert "Give either failed job ids or --all" in neither.output


def test_info_command(worker_app, redis_client):
    runner = worker_app.test_cli_runner()
    runner.invoke(args=["jobs", "enqueue", "leave_state_behind_job", "email=a@x.org", "fail=true"])
    run_queued_jobs(worker_app)
    runner.invoke(args=["jobs", "enqueue", "inspect_state_job", "email=a@x.org"])

    result = runner.invoke(args=["jobs", "info"])

    lines = result.output.splitlines()
    assert lines[0].split() == ["queue", "queued", "started", "scheduled", "failed", "finished"]
    assert lines[1].split() == ["default", "1", "0", "0", "1", "0"]
    assert lines[2] == "workers: 0"
