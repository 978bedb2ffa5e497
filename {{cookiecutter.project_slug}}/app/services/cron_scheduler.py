"""Enqueue registered background jobs on a schedule with RQ's cron scheduler (`rq.cron`).

rq 3.0's `CronJob.enqueue` creates its `Queue` without a serializer, so the jobs it enqueues
are stored with pickle, which a worker with the JSON serializer cannot read, and which this
project never loads from Redis. `AppCronJob` enqueues through `queue_job` instead: the same
checks, JSON serializer, timeout and retries as every other job. It then records the job in
RQ's cron history, as `CronJob.enqueue` does, so `rq cron` monitoring still lists it.
"""

import json
import logging

from rq import cron_job_registry
from rq.cron import CronJob, CronScheduler
from rq.defaults import DEFAULT_CRON_JOB_HISTORY_LIMIT, DEFAULT_CRON_JOB_HISTORY_TTL

from app.services.queue import get_redis, queue_job
from app.services.registry import registered_jobs

logger = logging.getLogger(__name__)


class AppCronJob(CronJob):
    """A cron job that enqueues its registered job with `queue_job` in an app context."""

    def __init__(self, app, **options):
        super().__init__(**options)
        self.app = app

    def enqueue(self, connection):
        """Enqueue the job with `queue_job`, record it in the cron history, return the Job."""
        with self.app.app_context():
            job = queue_job(self.func.__name__, **self.kwargs)

        enqueued_at = job.enqueued_at.timestamp()
        with connection.pipeline() as pipeline:
            pipeline.zadd(self.job_history_key, {job.id: enqueued_at})
            pipeline.zremrangebyrank(self.job_history_key, 0, -(DEFAULT_CRON_JOB_HISTORY_LIMIT + 1))
            pipeline.expire(self.job_history_key, DEFAULT_CRON_JOB_HISTORY_TTL)
            cron_job_registry.add(self.name, pipeline, enqueue_timestamp=enqueued_at)
            pipeline.execute()

        logger.info("job %s: enqueued %s by the cron scheduler", job.id, self.name)
        return job


class AppCronScheduler(CronScheduler):
    """RQ's cron scheduler on the app's Redis, for jobs registered with `@background_job`."""

    def __init__(self, app, name=""):
        with app.app_context():
            connection = get_redis()

        super().__init__(connection=connection, name=name)
        self.app = app

    def register(self, func, *, interval=None, cron=None, kwargs=None):
        """Schedule the background job `func` with `kwargs`, every `interval` seconds or on the
        `cron` expression (local time of this process), and return the AppCronJob.

        An interval job is first enqueued when the scheduler starts. The job's queue,
        timeout and retries are those of its `@background_job`. Raises ValueError for a
        function that is not a registered job, or `kwargs` that do not fit it or JSON.
        """
        kwargs = kwargs or {}
        spec = _registered_spec(func)
        _check_kwargs(spec, kwargs)

        cron_job = AppCronJob(
            self.app,
            queue_name=spec.queue,
            func=spec.func,
            kwargs=kwargs,
            interval=interval,
            cron=cron,
            job_timeout=spec.timeout,
        )
        self._cron_jobs.append(cron_job)
        logger.info(
            "cron: scheduled %s on queue %s, %s",
            spec.name,
            spec.queue,
            f"every {interval} s" if interval else f"at {cron!r}",
        )
        return cron_job


def _registered_spec(func):
    spec = registered_jobs().get(getattr(func, "__name__", None))
    if spec is None or spec.func is not func:
        raise ValueError(
            f"{func!r} is not a registered background job. Decorate it with @background_job "
            "and schedule the decorated function."
        )

    return spec


def _check_kwargs(spec, kwargs):
    try:
        spec.signature.bind(**kwargs)
        json.dumps(kwargs, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Invalid kwargs {kwargs!r} for the cron job {spec.name!r}: {exc}. "
            f"Pass JSON values that fit {spec.name}{spec.signature}."
        ) from None
