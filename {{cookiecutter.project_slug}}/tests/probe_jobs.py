"""Jobs that tests run to look at the state one job leaves for the next."""

import os
import time

from flask import g

from app.extensions import db
from app.models import User
from app.services.queue import get_redis
from app.services.registry import background_job


@background_job(retries=0)
def leave_state_behind_job(email: str, fail: bool) -> dict:
    """Set `g`, add a user without committing it, and raise if `fail`."""
    g.left_by_previous_job = email
    db.session.add(User(email=email, name="never committed"))
    db.session.flush()

    if fail:
        raise RuntimeError(f"fails on purpose after adding {email!r} to the session")

    return {"left": email}


@background_job(retries=0)
def inspect_state_job(email: str) -> dict:
    """Report what this job finds of the state a previous job left behind."""
    return {
        "g": g.get("left_by_previous_job"),
        "pending_in_session": len(db.session.new) + len(db.session.identity_map),
        "user_rows": db.session.scalar(
            db.select(db.func.count()).select_from(User).filter_by(email=email)
        ),
    }


@background_job(retries=2, retry_intervals=(1, 1))
def flaky_job(key: str, failures: int) -> int:
    """Fail the first `failures` attempts, counted in Redis under `key`; return the attempt."""
    attempt = get_redis().incr(key)
    if attempt <= failures:
        raise ConnectionError(f"attempt {attempt} of {key!r} fails on purpose")

    return attempt


@background_job(timeout=1, retries=0)
def overrunning_job(seconds: float) -> None:
    """Sleep longer than the job's 1-second timeout."""
    time.sleep(seconds)


@background_job(retries=1, retry_intervals=(0,))
def tracked_job(key: str, seconds: float) -> int:
    """Record this process's pid under `key:pid`, sleep `seconds` on the first attempt
    only, then count the finished attempts under `key:done`."""
    redis = get_redis()
    attempt = redis.rpush(f"{key}:pid", os.getpid())
    if attempt == 1:
        time.sleep(seconds)
    return redis.incr(f"{key}:done")


@background_job(retries=0)
def untried_tracked_job(key: str, seconds: float) -> int:
    """`tracked_job` without retries."""
    return tracked_job.__wrapped__(key, seconds)
