"""`flask jobs ...`: enqueue jobs, inspect queues, and retry failed jobs from the shell."""

import json

import click
from flask import current_app
from flask.cli import AppGroup
from rq import Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job

from app.services.queue import (
    SERIALIZER,
    JobArgumentError,
    QueueUnavailableError,
    UnknownJobError,
    get_queue,
    get_redis,
    queue_job,
)

jobs_cli = AppGroup("jobs", help="Enqueue background jobs and inspect their queues.")


def _parse_argument(text):
    name, separator, raw = text.partition("=")
    if not separator or not name.isidentifier():
        raise click.BadParameter(
            f"{text!r} is not NAME=VALUE. Write arguments like user_id=1 or note='\"a b\"'.",
            param_hint="ARGUMENTS",
        )

    try:
        return name, json.loads(raw)
    except json.JSONDecodeError:
        return name, raw


def _queues(name):
    names = [name] if name else current_app.config["RQ_QUEUES"]
    return [get_queue(n) for n in names]


def _last_line(text):
    lines = (text or "").strip().splitlines()
    return lines[-1] if lines else "(no error recorded)"


@jobs_cli.command("enqueue")
@click.argument("name")
@click.argument("arguments", nargs=-1)
def enqueue_command(name, arguments):
    """Enqueue the registered job NAME with NAME=VALUE arguments (VALUE is read as JSON,
    else as a string), and print the job id."""
    kwargs = dict(_parse_argument(text) for text in arguments)

    try:
        job = queue_job(name, **kwargs)
    except (UnknownJobError, JobArgumentError, QueueUnavailableError) as exc:
        raise click.ClickException(str(exc)) from None

    click.echo(job.id)


@jobs_cli.command("failed")
@click.option("--queue", "queue_name", help="only this queue (default: all in RQ_QUEUES)")
def failed_command(queue_name):
    """List failed jobs: id, function, when it ended, and the last line of its error."""
    for queue in _queues(queue_name):
        registry = queue.failed_job_registry
        for job_id in registry.get_job_ids():
            try:
                job = Job.fetch(job_id, connection=queue.connection, serializer=SERIALIZER)
            except NoSuchJobError:
                continue

            result = job.latest_result()
            error = result.exc_string if result is not None else None
            ended = job.ended_at.isoformat(timespec="seconds") if job.ended_at else "-"
            click.echo(f"{job.id}  {queue.name}  {job.func_name}  {ended}  {_last_line(error)}")


@jobs_cli.command("requeue")
@click.argument("job_ids", nargs=-1)
@click.option("--all", "requeue_all", is_flag=True, help="requeue every failed job")
@click.option("--queue", "queue_name", help="only this queue (default: all in RQ_QUEUES)")
def requeue_command(job_ids, requeue_all, queue_name):
    """Move failed jobs JOB_IDS (or --all) back to their queues."""
    if bool(job_ids) == requeue_all:
        raise click.UsageError("Give either failed job ids or --all, not both and not neither.")

    requeued = []
    for queue in _queues(queue_name):
        registry = queue.failed_job_registry
        if requeue_all:
            candidates = registry.get_job_ids()
        else:
            candidates = [job_id for job_id in job_ids if job_id in registry]

        for job_id in candidates:
            registry.requeue(job_id)
            requeued.append(job_id)

    click.echo(f"Requeued {len(requeued)} job(s).")
    missing = [job_id for job_id in job_ids if job_id not in requeued]
    if missing:
        raise click.ClickException(
            f"Not in a failed job registry: {', '.join(missing)}. "
            "List failed jobs with: flask --app app jobs failed"
        )


@jobs_cli.command("info")
def info_command():
    """Show how many jobs each queue contains in each state, and how many workers run."""
    click.echo(
        f"{'queue':<16}{'queued':>8}{'started':>9}{'scheduled':>11}{'failed':>8}{'finished':>10}"
    )
    for queue in _queues(None):
        click.echo(
            f"{queue.name:<16}{queue.count:>8}{queue.started_job_registry.count:>9}"
            f"{queue.scheduled_job_registry.count:>11}{queue.failed_job_registry.count:>8}"
            f"{queue.finished_job_registry.count:>10}"
        )

    click.echo(f"workers: {Worker.count(connection=get_redis())}")
