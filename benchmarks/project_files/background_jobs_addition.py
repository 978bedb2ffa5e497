"""Benchmark jobs that bench.py appends to the rendered `app/services/background_jobs.py`.

They are registered with `@background_job` like the project's own jobs, so the worker
imports and wraps them the same way. The template itself never contains them.
"""

import gc
import os

from app.extensions import db
from app.models import User
from app.services.registry import background_job
from sqlalchemy.engine import Engine


@background_job(retries=0)
def bench_read_user_job(user_id: int) -> str:
    """Return the email of user `user_id`: the per-job work that the benchmark times."""
    return db.session.get(User, user_id).email


@background_job(retries=0)
def bench_worker_resources_job(of_parent: bool) -> dict:
    """Return RSS (KiB), open file descriptors and live SQLAlchemy engines.

    With `of_parent`, RSS and descriptors are those of the parent process, which is the
    forking worker when this runs in its work horse. Engines are counted in this process,
    and a horse has those of its parent as they were at the fork.
    """
    pid = os.getppid() if of_parent else os.getpid()
    with open(f"/proc/{pid}/status") as status:
        rss_line = next(line for line in status if line.startswith("VmRSS:"))

    return {
        "pid": pid,
        "rss_kib": int(rss_line.split()[1]),
        "open_fds": len(os.listdir(f"/proc/{pid}/fd")),
        "engines": sum(isinstance(obj, Engine) for obj in gc.get_objects()),
    }
