"""Enqueue registered background jobs on RQ queues, checked before anything reaches Redis.

Jobs are stored with RQ's JSON serializer, never pickle, so a job's arguments must be
values that JSON carries: pass ids and plain values, not ORM objects.
"""

import json
import logging

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.serializers import JSONSerializer

from app.services.registry import registered_jobs

logger = logging.getLogger(__name__)

SERIALIZER = JSONSerializer


class UnknownJobError(LookupError):
    """The job name passed to `queue_job` is not registered."""


class JobArgumentError(TypeError):
    """The keyword arguments passed to `queue_job` do not fit the job."""


class QueueUnavailableError(RuntimeError):
    """Redis did not respond, so the job was not enqueued."""


def init_app(app):
    """Bind a Redis client for `REDIS_URL` to `app`; it connects on first use.

    Reads `REDIS_SOCKET_TIMEOUT` (seconds, default 5) for connecting and for each reply,
    so a request fails instead of hanging when Redis does not respond.
    """
    app.config.setdefault("REDIS_URL", "redis://localhost:6379/0")
    app.config.setdefault("REDIS_SOCKET_TIMEOUT", 5.0)
    timeout = app.config["REDIS_SOCKET_TIMEOUT"]
    app.extensions["redis"] = Redis.from_url(
        app.config["REDIS_URL"], socket_connect_timeout=timeout, socket_timeout=timeout
    )


def get_redis():
    """Return the Redis client of the current app.

    Needs an app context, and raises RuntimeError if `init_app` was not called for the app.
    """
    try:
        return current_app.extensions["redis"]
    except KeyError:
        raise RuntimeError(
            "The app has no Redis client. Call app.services.queue.init_app(app) in create_app."
        ) from None


def get_queue(name="default"):
    """Return the RQ queue `name` on the current app's Redis, with the JSON serializer."""
    return Queue(name, connection=get_redis(), serializer=SERIALIZER)


def queue_job(name, **kwargs):
    """Enqueue the registered job `name` with `kwargs` now, and return the `rq.job.Job`.

    Raises UnknownJobError for a name that is not registered. Raises JobArgumentError for
    missing or unexpected arguments, a value JSON cannot carry, or a value of another type
    than a plain int, float, str or bool annotation requires. Both come before anything is
    sent to Redis. Raises QueueUnavailableError when Redis does not respond. Needs an app
    context. In request handlers that write to the database, use
    `queue_job_after_commit` instead, so that the job never runs before the commit.
    """
    spec = check_job(name, kwargs)
    return enqueue(spec, kwargs)


def check_job(name, kwargs):
    """Return the JobSpec of `name` after checking `kwargs` against it.

    Raises UnknownJobError or JobArgumentError, as `queue_job` documents.
    """
    jobs = registered_jobs()
    if name not in jobs:
        raise UnknownJobError(
            f"No background job named {name!r}. Registered jobs: {', '.join(sorted(jobs))}. "
            "Register a new one with @background_job in app/services/background_jobs.py."
        )

    spec = jobs[name]
    try:
        spec.signature.bind(**kwargs)
    except TypeError as exc:
        raise JobArgumentError(
            f"Invalid arguments for job {name!r}: {exc}. "
            f"The job's signature is {name}{spec.signature}."
        ) from None

    for key, value in kwargs.items():
        _check_json_value(name, key, value)
        _check_annotated_type(name, spec.signature.parameters[key], value)

    return spec


def enqueue(spec, kwargs, job_id=None):
    """Enqueue a checked job with its timeout and retry policy; return the `rq.job.Job`.

    Raises QueueUnavailableError when Redis does not respond.
    """
    retry = None
    if spec.retries:
        retry = Retry(max=spec.retries, interval=list(spec.retry_intervals))

    try:
        job = get_queue(spec.queue).enqueue_call(
            func=spec.path,
            kwargs=kwargs,
            timeout=spec.timeout,
            retry=retry,
            result_ttl=current_app.config.get("RQ_RESULT_TTL", 86400),
            failure_ttl=current_app.config.get("RQ_FAILURE_TTL", 7 * 86400),
            job_id=job_id,
        )
    except RedisError as exc:
        raise QueueUnavailableError(
            f"Could not enqueue job {spec.name!r}: Redis at {_redis_address()} did not respond "
            f"({exc}). Check that Redis is running and that REDIS_URL points to it."
        ) from exc

    logger.info("job %s: enqueued %s on queue %s", job.id, spec.name, spec.queue)
    return job


def _redis_address():
    kwargs = get_redis().get_connection_kwargs()
    return f"{kwargs.get('host')}:{kwargs.get('port')} db {kwargs.get('db')}"


def _check_annotated_type(job_name, parameter, value):
    # NOTE: only the plain annotations int, float, str and bool are checked; others, such
    # as `int | None` or `list[int]`, are left to the job.
    expected = parameter.annotation
    if expected not in (int, float, str, bool):
        return

    accepted = (int, float) if expected is float else expected
    if isinstance(value, accepted) and (expected is bool or not isinstance(value, bool)):
        return

    raise JobArgumentError(
        f"Argument {parameter.name!r} of job {job_name!r} must be {expected.__name__}, "
        f"not {type(value).__name__} ({value!r}). Pass a {expected.__name__}, as the job's "
        "signature says."
    )


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
