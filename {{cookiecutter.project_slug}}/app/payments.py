"""Payment endpoints: create a payment and enqueue its receipt job."""

from flask import Blueprint, abort, jsonify, request, url_for

from app.extensions import db
from app.models import Payment, User
from app.services.after_commit import queue_job_after_commit

bp = Blueprint("payments", __name__, url_prefix="/payments")

# Largest id and amount accepted: the maximum of a signed 32-bit column (INTEGER in
# PostgreSQL), so a larger number is a 400, not a database error.
MAX_INTEGER = 2**31 - 1


def _is_integer(value, minimum):
    # bool is an int subclass in Python, but JSON true is not a number.
    if not isinstance(value, int) or isinstance(value, bool):
        return False

    return minimum <= value <= MAX_INTEGER


@bp.post("")
def create_payment():
    """Create a payment from JSON `{"user_id": int, "amount_cents": int, "currency": str}`.

    The receipt job is enqueued when the payment commits, so the worker always finds the
    row. Returns 201 with the payment id and the job id, and 503 with nothing committed
    when Redis does not respond.
    """
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="The request body must be a JSON object with a user_id.")

    user_id = data.get("user_id")
    amount_cents = data.get("amount_cents")
    currency = data.get("currency", "USD")

    if not _is_integer(user_id, 1) or db.session.get(User, user_id) is None:
        abort(400, description=f"user_id {user_id!r} is not the id of an existing user.")
    if not _is_integer(amount_cents, 1):
        abort(
            400,
            description=f"amount_cents {amount_cents!r} must be an integer, 1 to {MAX_INTEGER}.",
        )
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        abort(400, description=f"currency {currency!r} must be a 3-letter ISO 4217 code.")

    payment = Payment(user_id=user_id, amount_cents=amount_cents, currency=currency.upper())
    db.session.add(payment)
    db.session.flush()
    job_id = queue_job_after_commit(
        "send_payment_receipt_job", user_id=user_id, payment_id=payment.id
    )
    db.session.commit()

    body = {
        "payment_id": payment.id,
        "job_id": job_id,
        "job_url": url_for("jobs.show_job", job_id=job_id),
    }
    return jsonify(body), 201


@bp.get("/<int:payment_id>")
def show_payment(payment_id):
    payment = db.get_or_404(Payment, payment_id)
    receipt_sent_at = payment.receipt_sent_at.isoformat() if payment.receipt_sent_at else None
    return jsonify(
        id=payment.id,
        user_id=payment.user_id,
        amount=payment.amount,
        currency=payment.currency,
        receipt_sent_at=receipt_sent_at,
    )
