"""Enqueue jobs when the database transaction that needs them commits.

A job enqueued in the middle of a transaction can start before the commit, find no row
and fail, or run for a row that a rollback then removes. `queue_job_after_commit` keeps
the job on the SQLAlchemy session until the commit and drops it on rollback.
"""

import logging
from uuid import uuid4

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.services.queue import QueueUnavailableError, check_job, enqueue, get_redis

logger = logging.getLogger(__name__)

# Key in `Session.info` of the jobs that wait for the session's commit.
PENDING_JOBS = "pending_background_jobs"


def queue_job_after_commit(name, **kwargs):
    """Enqueue job `name` once the current transaction of `db.session` commits.

    The name and arguments are checked at once, as `queue_job` does, and the job id is
    returned at once. The job is enqueued by the commit, or right away if no transaction
    is open, and dropped if the transaction rolls back. Before the commit, Redis is
    pinged: if it does not respond, the commit raises QueueUnavailableError and nothing is
    committed. Needs an app context.
    """
    spec = check_job(name, kwargs)
    job_id = uuid4().hex
    session = db.session()

    if not session.in_transaction():
        return enqueue(spec, kwargs, job_id).id

    session.info.setdefault(PENDING_JOBS, []).append((spec, kwargs, job_id))
    logger.debug("job %s: %s waits for the commit", job_id, spec.name)
    return job_id


@event.listens_for(Session, "before_commit")
def _check_redis_before_commit(session):
    if not session.info.get(PENDING_JOBS):
        return

    try:
        get_redis().ping()
    except Exception as exc:
        raise QueueUnavailableError(
            f"Redis did not respond ({exc}), so the transaction was not committed: its "
            f"{len(session.info[PENDING_JOBS])} job(s) could not be enqueued. Check that Redis "
            "is running and that REDIS_URL points to it, then retry."
        ) from exc


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session):
    pending = session.info.pop(PENDING_JOBS, [])
    for position, (spec, kwargs, job_id) in enumerate(pending):
        try:
            enqueue(spec, kwargs, job_id)
        except QueueUnavailableError:
            # NOTE: the rows are committed already. Redis stopped responding between the
            # ping and this enqueue, so the jobs from here on are lost, and logged.
            for lost_spec, lost_kwargs, lost_id in pending[position:]:
                logger.error(
                    "job %s: %s not enqueued after commit, arguments %r",
                    lost_id,
                    lost_spec.name,
                    lost_kwargs,
                )
            raise


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session, previous_transaction):
    # NOTE: only the outermost rollback drops jobs. A job enqueued inside a savepoint
    # (`begin_nested`) that rolls back still runs when the outer transaction commits.
    if previous_transaction.parent is not None:
        return

    for spec, _, job_id in session.info.pop(PENDING_JOBS, []):
        logger.info("job %s: %s dropped, its transaction rolled back", job_id, spec.name)
