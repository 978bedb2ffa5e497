"""Periodic background jobs and their schedule, which `python cron.py` enqueues.

Each job is an ordinary `@background_job`, so it runs in the worker in its own app context
like any other. `register_periodic_jobs` states when each one is enqueued.
"""

import logging
from datetime import timedelta

from rq import get_current_job

from app.extensions import db
from app.models import Payment, utc_now
from app.services.registry import background_job

logger = logging.getLogger(__name__)

# Seconds between two checks for unsent receipts.
UNSENT_RECEIPTS_INTERVAL = 3600

# Minutes after which a payment without a sent receipt is reported.
UNSENT_RECEIPTS_AGE = 60


@background_job(timeout=60, retries=0)
def report_unsent_receipts_job(older_than_minutes: int) -> dict:
    """Count payments older than `older_than_minutes` whose receipt was never sent, and log a
    warning with their ids when there are any. Reads only; changes nothing."""
    job = get_current_job()
    job_id = job.id if job is not None else "-"
    cutoff = utc_now() - timedelta(minutes=older_than_minutes)

    payment_ids = db.session.scalars(
        db.select(Payment.id)
        .where(Payment.receipt_sent_at.is_(None), Payment.created_at < cutoff)
        .order_by(Payment.id)
    ).all()

    if payment_ids:
        logger.warning(
            "job %s: %d payments older than %d minutes have no receipt: %s",
            job_id,
            len(payment_ids),
            older_than_minutes,
            payment_ids,
        )

    return {"unsent": len(payment_ids), "payment_ids": payment_ids}


def register_periodic_jobs(scheduler):
    """Register each periodic job with `scheduler`, an AppCronScheduler."""
    scheduler.register(
        report_unsent_receipts_job,
        interval=UNSENT_RECEIPTS_INTERVAL,
        kwargs={"older_than_minutes": UNSENT_RECEIPTS_AGE},
    )
