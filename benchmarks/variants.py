"""The ways of running the same job that the benchmark compares.

Each variant enqueues `count` jobs that read one user row by id, and names the command
that starts one burst worker process for them. Worker classes are given by their keys in
WORKER_CLASSES.
"""

import sys
from dataclasses import dataclass
from pathlib import Path

from rq import Queue
from rq.serializers import JSONSerializer

from .project import user_id_for

WORKER_CLASSES = {"SimpleWorker": "rq.worker.SimpleWorker", "Worker": "rq.Worker"}
RUNNER = Path(__file__).resolve().parent / "worker_runner.py"

# Queue of the variants that run through worker_runner.py's plain mode.
PLAIN_QUEUE = "bench"

# Seconds RQ keeps each result, as `queue_job` does by default.
RESULT_TTL = 86400


@dataclass(frozen=True)
class Variant:
    """One way of running the job: its table label, how it enqueues, how its worker starts."""

    key: str
    label: str
    enqueue: object
    command: object


def plain_variant(key, label, function, connection):
    """A variant of bench_plain_jobs.FUNCTION run by worker_runner.py with `rq`'s classes."""

    def enqueue(count):
        queue = Queue(PLAIN_QUEUE, connection=connection, serializer=JSONSerializer)
        datas = [
            Queue.prepare_data(
                f"bench_plain_jobs.{function}",
                kwargs={"user_id": user_id_for(number)},
                result_ttl=RESULT_TTL,
            )
            for number in range(count)
        ]
        return [job.id for job in queue.enqueue_many(datas)]

    def command(worker_class):
        return [sys.executable, str(RUNNER), "plain", WORKER_CLASSES[worker_class], PLAIN_QUEUE]

    return Variant(key, label, enqueue, command)


def template_variant(project, app):
    """The rendered project's own job, enqueued with `queue_job` and run by `worker.py`."""
    from app.services.queue import queue_job

    def enqueue(count):
        with app.app_context():
            return [
                queue_job("bench_read_user_job", user_id=user_id_for(number)).id
                for number in range(count)
            ]

    def command(worker_class):
        return [
            sys.executable,
            str(project / "worker.py"),
            "--burst",
            *("--worker-class", WORKER_CLASSES[worker_class]),
            *("--logging-level", "INFO"),
        ]

    return Variant("template", "this template", enqueue, command)


def flask_rq_variant():
    """The project run through Flask-RQ 1.0: its own worker from `RQ.make_worker` for the
    forking row, and its queue under SimpleWorker in one app context (worker_runner.py)."""
    import bench_flask_rq

    app = bench_flask_rq.create_app()

    def enqueue(count):
        with app.app_context():
            return [
                bench_flask_rq.read_user.enqueue(user_id_for(number)).id for number in range(count)
            ]

    def command(worker_class):
        if worker_class == "SimpleWorker":
            return [sys.executable, str(RUNNER), "flask-rq", WORKER_CLASSES[worker_class]]

        return [sys.executable, str(RUNNER), "flask-rq", "flask-rq"]

    return Variant("flask-rq", "flask-rq 1.0", enqueue, command)


def build_variants(project, app, connection, with_flask_rq):
    variants = [
        plain_variant("bare", "bare rq", "read_user_sqlite", connection),
        plain_variant("create-app", "create_app per job", "read_user_create_app", connection),
        template_variant(project, app),
    ]
    if with_flask_rq:
        variants.append(flask_rq_variant())

    return variants
