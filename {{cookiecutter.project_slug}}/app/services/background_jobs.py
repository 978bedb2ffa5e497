"""The project's background jobs.

Each job is registered with `@background_job`, which also runs it in a fresh app context
in the worker (see `app/services/job_context.py`). Jobs take ids and plain values and load
rows themselves, because arguments are stored as JSON. Enqueue them with
`app.services.queue.queue_job(name, **kwargs)`.
"""

import logging

from flask import render_template, url_for
from flask_mail import Message
from sqlalchemy import update

from app.extensions import db, mail
from app.models import Payment, User, utc_now
from app.services.registry import background_job

logger = logging.getLogger(__name__)


@background_job(timeout=60, retries=3, retry_intervals=(10, 60, 300))
def send_payment_receipt_job(user_id: int, payment_id: int) -> dict:
    """Email the receipt for payment `payment_id` to user `user_id`, at most once.

    The payment is claimed by setting `receipt_sent_at` in its own committed UPDATE
    before the mail is sent, so a second run, a retry or a concurrent worker sends
    nothing. If sending fails, the claim is cleared and the error re-raised, so RQ
    retries the job. Raises LookupError if either row does not exist.

    NOTE: this is at-most-once delivery. A worker killed after the claim and before the
    send leaves the claim set, and that receipt is never sent.
    """
    user = db.session.get(User, user_id)
    payment = db.session.get(Payment, payment_id)
    if user is None or payment is None or payment.user_id != user.id:
        raise LookupError(
            f"No payment {payment_id!r} of user {user_id!r}. Enqueue the job after the "
            "payment is committed, with the ids of an existing user and payment."
        )

    if not _claim_receipt(payment_id):
        logger.info("payment %s: receipt sent already, nothing to do", payment_id)
        return {"payment_id": payment_id, "sent": False}

    message = Message(
        subject=f"Your receipt for payment #{payment.id}",
        recipients=[user.email],
        body=render_template("emails/payment_receipt.txt", user=user, payment=payment),
        html=render_template("emails/payment_receipt.html", user=user, payment=payment),
    )
    message.extra_headers = {
        "X-Receipt-Url": url_for("payments.show_payment", payment_id=payment.id, _external=True)
    }

    try:
        mail.send(message)
    except Exception:
        _release_receipt(payment_id)
        raise

    return {"payment_id": payment_id, "sent": True}


def _claim_receipt(payment_id):
    result = db.session.execute(
        update(Payment)
        .where(Payment.id == payment_id, Payment.receipt_sent_at.is_(None))
        .values(receipt_sent_at=utc_now())
    )
    db.session.commit()
    return result.rowcount == 1


def _release_receipt(payment_id):
    db.session.rollback()
    db.session.execute(update(Payment).where(Payment.id == payment_id).values(receipt_sent_at=None))
    db.session.commit()
