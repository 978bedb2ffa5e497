"""queue_job_after_commit: jobs wait for the transaction that needs them."""

import pytest

from app import create_app
from app.extensions import db
from app.models import Payment, User
from app.services.after_commit import queue_job_after_commit
from app.services.queue import JobArgumentError, QueueUnavailableError, get_queue
from tests.conftest import add_payment
from tests.servers import free_port
from tests.workers import fetch, run_burst_worker, worker_env


def add_uncommitted_payment():
    user = User(email="ada@example.com", name="Ada Lovelace")
    payment = Payment(user=user, amount_cents=500)
    db.session.add(payment)
    db.session.flush()
    return user.id, payment.id


def test_after_commit_waits_for_commit(app, redis_client):
    with app.app_context():
        user_id, payment_id = add_uncommitted_payment()
        job_id = queue_job_after_commit(
            "send_payment_receipt_job", user_id=user_id, payment_id=payment_id
        )
        assert get_queue().count == 0
        assert not redis_client.exists(f"rq:job:{job_id}")

        db.session.commit()

        assert get_queue().job_ids == [job_id]
    assert fetch(job_id, redis_client).kwargs == {"user_id": user_id, "payment_id": payment_id}


def test_after_commit_rollback_drops(app):
    with app.app_context():
        user_id, payment_id = add_uncommitted_payment()
        queue_job_after_commit("send_payment_receipt_job", user_id=user_id, payment_id=payment_id)

        db.session.rollback()
        db.session.commit()

        assert get_queue().count == 0


def test_after_commit_session_removed_drops(app):
    with app.app_context():
        user_id, payment_id = add_uncommitted_payment()
        queue_job_after_commit("send_payment_receipt_job", user_id=user_id, payment_id=payment_id)

    with app.app_context():
        db.session.commit()
        assert get_queue().count == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 0


def test_after_commit_outside_transaction(app):
    user_id, payment_id = add_payment(app)

    with app.app_context():
        job_id = queue_job_after_commit(
            "send_payment_receipt_job", user_id=user_id, payment_id=payment_id
        )

        assert get_queue().job_ids == [job_id]


def test_after_commit_checks_arguments_at_once(app):
    with app.app_context():
        add_uncommitted_payment()

        with pytest.raises(JobArgumentError, match="unexpected keyword argument 'amount'"):
            queue_job_after_commit("send_payment_receipt_job", user_id=1, payment_id=1, amount=5)

        db.session.commit()
        assert get_queue().count == 0


def test_after_commit_redis_down_commits_nothing():
    app = create_app(
        {
            "APP_ENV": "testing",
            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
            "REDIS_SOCKET_TIMEOUT": 1,
        }
    )

    with app.app_context():
        db.create_all()
        user_id, payment_id = add_uncommitted_payment()
        queue_job_after_commit("send_payment_receipt_job", user_id=user_id, payment_id=payment_id)

        with pytest.raises(QueueUnavailableError, match="the transaction was not committed"):
            db.session.commit()
        db.session.rollback()

        assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 0
        # End the session's transaction first: on PostgreSQL its read lock blocks DROP TABLE.
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.mark.worker
def test_worker_runs_job_after_commit(shared_app, smtp_server, redis_client, tmp_path):
    env = worker_env(shared_app, smtp_server.port)

    with shared_app.app_context():
        user_id, payment_id = add_uncommitted_payment()
        job_id = queue_job_after_commit(
            "send_payment_receipt_job", user_id=user_id, payment_id=payment_id
        )
        before_commit = run_burst_worker(env, tmp_path)
        assert smtp_server.messages == []
        db.session.commit()

    run_burst_worker(env, tmp_path)

    assert f"job {job_id}" not in before_commit
    assert fetch(job_id, redis_client).return_value() == {"payment_id": payment_id, "sent": True}
    assert len(smtp_server.messages) == 1
