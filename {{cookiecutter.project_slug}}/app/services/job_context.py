"""Run each background job inside its own Flask app context.

An RQ worker is a separate process and pushes no app context, so `db.session`,
`current_app`, `url_for`, `render_template` and Flask-Mail raise "Working outside of
application context" in a job. `with_app_context` fixes that for one job function:

- The app is created once per worker process and reused for every job, never per job.
  `worker.py` creates it before the worker starts and registers it with `set_worker_app`.
  A process that did not (a stock `rq worker`, a `SpawnWorker` horse) creates it with
  `create_app()` on its first job.
- Each call pushes a fresh `app.app_context()` and pops it when the job returns or
  raises. Popping runs Flask-SQLAlchemy's teardown, which removes the session, so
  uncommitted work is rolled back and `g` starts empty for the next job.
- When an app context is already pushed (a test, or a queue that runs jobs
  synchronously), the job runs in that context and creates nothing.
"""

import functools
import logging
import time

from flask import has_app_context
from rq import get_current_job

logger = logging.getLogger(__name__)

_worker_app = None


def set_worker_app(app):
    """Register `app` as the app that jobs in this process push contexts of."""
    global _worker_app
    _worker_app = app


def get_worker_app():
    """Return this process's worker app, creating it with `create_app()` on first use."""
    global _worker_app

    if _worker_app is None:
        from app import create_app

        _worker_app = create_app()
        logger.info("created the worker app for this process")

    return _worker_app


def with_app_context(func):
    """Wrap the job `func` so that each call runs in a fresh app context of the worker app.

    The context is popped when `func` returns or raises, and exceptions propagate so that
    RQ records the failure and the traceback. Each start, success and failure is logged
    with the job id.
    """

    @functools.wraps(func)
    def run_in_app_context(*args, **kwargs):
        if has_app_context():
            return _run_logged(func, args, kwargs)

        with get_worker_app().app_context():
            return _run_logged(func, args, kwargs)

    return run_in_app_context


def _run_logged(func, args, kwargs):
    job = get_current_job()
    job_id = job.id if job is not None else "-"
    logger.info("job %s: started %s", job_id, func.__name__)
    started = time.perf_counter()

    try:
        result = func(*args, **kwargs)
    except Exception as exc:
        # RQ logs the traceback next, with the same job id.
        logger.error("job %s: %s failed: %r", job_id, func.__name__, exc)
        raise

    elapsed_ms = (time.perf_counter() - started) * 1000
    logger.info("job %s: finished %s in %.1f ms", job_id, func.__name__, elapsed_ms)
    return result
