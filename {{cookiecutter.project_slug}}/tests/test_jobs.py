"""Jobs called directly, as a worker calls them: with no app context pushed."""

import pytest
from flask import has_app_context

from app.extensions import db, mail
from app.models import Payment
from app.services.background_jobs import send_payment_receipt_job
from tests.conftest import add_payment
from tests.probe_jobs import inspect_state_job, leave_state_behind_job


def test_receipt_job_without_app_context(worker_app):
    user_id, payment_id = add_payment(worker_app)
    assert not has_app_context()

    with mail.record_messages() as outbox:
        result = send_payment_receipt_job(user_id=user_id, payment_id=payment_id)

    assert result == {"payment_id": payment_id, "sent": True}
    assert len(outbox) == 1
    assert outbox[0].recipients == ["ada@example.com"]
    assert outbox[0].subject == f"Your receipt for payment #{payment_id}"
    assert not has_app_context()


def test_receipt_rendered_from_templates(worker_app):
    user_id, payment_id = add_payment(worker_app, amount_cents=1250)

    with mail.record_messages() as outbox:
        send_payment_receipt_job(user_id=user_id, payment_id=payment_id)

    body, html = outbox[0].body, outbox[0].html
    assert "Hello Ada Lovelace," in body
    assert "12.50 EUR" in body
    assert f"http://localhost:5000/payments/{payment_id}" in body
    assert "<td>12.50 EUR</td>" in html
    assert outbox[0].extra_headers["X-Receipt-Url"].endswith(f"/payments/{payment_id}")


def test_receipt_job_twice_sends_once(worker_app):
    user_id, payment_id = add_payment(worker_app)

    with mail.record_messages() as outbox:
        first = send_payment_receipt_job(user_id=user_id, payment_id=payment_id)
        second = send_payment_receipt_job(user_id=user_id, payment_id=payment_id)

    assert first["sent"] is True
    assert second["sent"] is False
    assert len(outbox) == 1
    with worker_app.app_context():
        assert db.session.get(Payment, payment_id).receipt_sent_at is not None


def test_receipt_job_reuses_pushed_context(app):
    user_id, payment_id = add_payment(app)

    with app.app_context(), mail.record_messages() as outbox:
        result = send_payment_receipt_job(user_id=user_id, payment_id=payment_id)
        assert has_app_context()

    assert result["sent"] is True
    assert len(outbox) == 1


def test_receipt_job_unknown_payment(worker_app):
    user_id, _ = add_payment(worker_app)

    with pytest.raises(LookupError, match="No payment 999 of user"):
        send_payment_receipt_job(user_id=user_id, payment_id=999)

    assert not has_app_context()


def test_receipt_failed_send_releases_claim(worker_app, monkeypatch):
    user_id, payment_id = add_payment(worker_app)

    def reject_connection(message):
        raise ConnectionRefusedError("SMTP server refused the connection")

    monkeypatch.setattr(mail, "send", reject_connection)
    with pytest.raises(ConnectionRefusedError):
        send_payment_receipt_job(user_id=user_id, payment_id=payment_id)

    with worker_app.app_context():
        assert db.session.get(Payment, payment_id).receipt_sent_at is None


@pytest.mark.parametrize("fail", [True, False], ids=["raises", "returns"])
def test_jobs_share_no_state(worker_app, fail):
    if fail:
        with pytest.raises(RuntimeError, match="fails on purpose"):
            leave_state_behind_job(email="ghost@example.com", fail=True)
    else:
        leave_state_behind_job(email="ghost@example.com", fail=False)

    state = inspect_state_job(email="ghost@example.com")

    assert state["g"] is None
    assert state["pending_in_session"] == 0
    assert state["user_rows"] == 0


def test_worker_app_created_once(monkeypatch, app):
    created = []

    def fake_create_app():
        created.append(app)
        return app

    import app as app_package
    from app.services import job_context

    monkeypatch.setattr(app_package, "create_app", fake_create_app)
    monkeypatch.setattr(job_context, "_worker_app", None)

    first = job_context.get_worker_app()
    second = job_context.get_worker_app()

    assert first is second is app
    assert len(created) == 1
