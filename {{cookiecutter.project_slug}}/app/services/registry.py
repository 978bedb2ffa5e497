"""The registry of background jobs that `queue_job` accepts by name.

A job is registered by decorating it with `background_job(...)` in
`app/services/background_jobs.py`. The decorator states the job's queue, timeout and
retry policy next to its code, and wraps it with `with_app_context` so that it runs in
its own app context in the worker.
"""

import inspect
from dataclasses import dataclass

from app.services.job_context import with_app_context

# Seconds a job may run before the worker stops it and marks it failed.
DEFAULT_TIMEOUT = 180

# Retries after the first failure, and seconds to wait before each retry.
DEFAULT_RETRIES = 3
DEFAULT_RETRY_INTERVALS = (10, 60, 300)

_jobs = {}


@dataclass(frozen=True)
class JobSpec:
    """A registered job: the wrapped function RQ runs and the options it is enqueued with."""

    name: str
    func: object
    signature: inspect.Signature
    queue: str
    timeout: int
    retries: int
    retry_intervals: tuple

    @property
    def path(self):
        """Dotted path that RQ stores and the worker imports."""
        return f"{self.func.__module__}.{self.func.__qualname__}"


def background_job(
    *,
    queue="default",
    timeout=DEFAULT_TIMEOUT,
    retries=DEFAULT_RETRIES,
    retry_intervals=DEFAULT_RETRY_INTERVALS,
):
    """Register the decorated function as a job and wrap it with `with_app_context`.

    Raises ValueError if a job of the same name is registered already, since
    `queue_job` finds jobs by their function name.
    """

    def register(func):
        name = func.__name__
        if name in _jobs and _jobs[name].path != f"{func.__module__}.{func.__qualname__}":
            raise ValueError(
                f"A background job named {name!r} is registered already by "
                f"{_jobs[name].path}. Give the new job a different function name."
            )

        wrapped = with_app_context(func)
        _jobs[name] = JobSpec(
            name=name,
            func=wrapped,
            signature=inspect.signature(func),
            queue=queue,
            timeout=timeout,
            retries=retries,
            retry_intervals=tuple(retry_intervals),
        )
        return wrapped

    return register


def registered_jobs():
    """Return the registered jobs by name, importing the project's job modules first."""
    import app.services.background_jobs  # noqa: F401

    return dict(_jobs)
