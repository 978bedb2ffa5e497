"""Enqueue registered background jobs on RQ queues, checked before anything reaches Redis.

Jobs are stored with RQ's JSON serializer, never pickle, so a job's arguments must be
values that JSON carries: pass ids and plain values, not ORM objects.
"""

import json

from flask import current_app
from redis import Redis
from rq import Queue, Retry
from rq.serializers import JSONSerializer

from app.services.registry import registered_jobs

SERIALIZER = JSONSerializer


class UnknownJobError(LookupError):
    """The job name passed to `queue_job` is not registered."""


class JobArgumentError(TypeError):
    """The keyword arguments passed to `queue_job` do not fit the job."""


def init_app(app):
    """Bind a Redis connection for `REDIS_URL` to `app`; it connects on first use."""
    app.config.setdefault("REDIS_URL", "redis://localhost:6379/0")
    app.extensions["redis"] = Redis.from_url(app.config["REDIS_URL"])


def get_redis():
    """Return the Redis connection of the current app.

    Needs an app context, and raises RuntimeError if `init_app` was not called for the app.
    """
    try:
        return current_app.extensions["redis"]
    except KeyError:
        raise RuntimeError(
            "The app has no Redis connection. Call app.services.queue.init_app(app) in create_app."
        ) from None


def get_queue(name="default"):
    """Return the RQ queue `name` on the current app's Redis, with the JSON serializer."""
    return Queue(name, connection=get_redis(), serializer=SERIALIZER)


def queue_job(name, **kwargs):
    """Enqueue the registered job `name` with `kwargs` and return the `rq.job.Job`.

    Raises UnknownJobError for a name that is not registered, and JobArgumentError for
    missing or unexpected arguments or a value JSON cannot carry. Both are raised before
    anything is sent to Redis. Needs an app context.
    """
    spec = _find_job(name)
    _check_arguments(spec, kwargs)

    retry = None
    if spec.retries:
        retry = Retry(max=spec.retries, interval=list(spec.retry_intervals))

    return get_queue(spec.queue).enqueue_call(
        func=spec.path,
        kwargs=kwargs,
        timeout=spec.timeout,
        retry=retry,
        result_ttl=current_app.config.get("RQ_RESULT_TTL", 86400),
        failure_ttl=current_app.config.get("RQ_FAILURE_TTL", 7 * 86400),
    )


def _find_job(name):
    jobs = registered_jobs()
    if name not in jobs:
        raise UnknownJobError(
            f"No background job named {name!r}. Registered jobs: {', '.join(sorted(jobs))}. "
            "Register a new one with @background_job in app/services/background_jobs.py."
        )

    return jobs[name]


def _check_arguments(spec, kwargs):
    try:
        spec.signature.bind(**kwargs)
    except TypeError as exc:
        raise JobArgumentError(
            f"Invalid arguments for job {spec.name!r}: {exc}. "
            f"The job's signature is {spec.name}{spec.signature}."
        ) from None

    for key, value in kwargs.items():
        _check_json_value(spec.name, key, value)


def _check_json_value(job_name, key, value):
    if hasattr(value, "__table__") or hasattr(value, "_sa_instance_state"):
        raise JobArgumentError(
            f"Argument {key!r} of job {job_name!r} is a database object ({value!r}). "
            f"Pass the id instead ({key}={type(value).__name__.lower()}.id) and load the row "
            "inside the job with db.session.get."
        )

    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise JobArgumentError(
            f"Argument {key!r} of job {job_name!r} cannot be stored as JSON: {exc}. "
            "Pass ids, strings, numbers, booleans, None, or lists and dicts of those."
        ) from None

    if json.loads(text) != value:
        raise JobArgumentError(
            f"Argument {key!r} of job {job_name!r} changes when stored as JSON "
            f"({value!r} would arrive as {json.loads(text)!r}). "
            "Pass a list instead of a tuple and strings as dict keys."
        )
