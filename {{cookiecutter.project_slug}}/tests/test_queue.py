"""queue_job: what it enqueues, and what it rejects before anything reaches Redis."""

import datetime
import decimal
import json
import zlib

import pytest
from rq.job import Job
from rq.serializers import JSONSerializer

from app.extensions import db
from app.models import User
from app.services.queue import JobArgumentError, UnknownJobError, get_queue, queue_job
from app.services.registry import DEFAULT_TIMEOUT, background_job, registered_jobs


def test_queue_job_stores_json(app, redis_client):
    with app.app_context():
        job = queue_job("send_payment_receipt_job", user_id=1, payment_id=2)
        assert get_queue().job_ids == [job.id]

    # RQ compresses the job data with zlib; inside is JSON, never a pickle.
    data = json.loads(zlib.decompress(redis_client.hget(f"rq:job:{job.id}", "data")))
    assert data[0] == "app.services.background_jobs.send_payment_receipt_job"
    fetched = Job.fetch(job.id, connection=redis_client, serializer=JSONSerializer)
    assert fetched.func_name == "app.services.background_jobs.send_payment_receipt_job"
    assert fetched.kwargs == {"user_id": 1, "payment_id": 2}
    assert fetched.timeout == 60
    assert fetched.retries_left == 3


def test_queue_job_unknown_name(app, redis_client):
    with app.app_context(), pytest.raises(UnknownJobError) as excinfo:
        queue_job("send_reciept_job", user_id=1, payment_id=2)

    message = str(excinfo.value)
    assert "'send_reciept_job'" in message
    assert "send_payment_receipt_job" in message
    assert redis_client.keys("*") == []


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"user_id": 1}, "missing a required argument: 'payment_id'"),
        ({"user_id": 1, "payment_id": 2, "amount": 3}, "unexpected keyword argument 'amount'"),
    ],
    ids=["missing", "unexpected"],
)
def test_queue_job_bad_arguments(app, redis_client, kwargs, expected):
    with app.app_context(), pytest.raises(JobArgumentError) as excinfo:
        queue_job("send_payment_receipt_job", **kwargs)

    assert expected in str(excinfo.value)
    assert "send_payment_receipt_job(user_id: int, payment_id: int)" in str(excinfo.value)
    assert redis_client.keys("*") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (decimal.Decimal("1.5"), "not JSON serializable"),
        (datetime.date(2026, 1, 1), "not JSON serializable"),
        (float("nan"), "Out of range float values"),
        ((1, 2), "would arrive as [1, 2]"),
        ({1: "a"}, "would arrive as {'1': 'a'}"),
        (object(), "not JSON serializable"),
    ],
    ids=["decimal", "date", "nan", "tuple", "int-keys", "object"],
)
def test_queue_job_value_not_json(app, redis_client, value, expected):
    with app.app_context(), pytest.raises(JobArgumentError) as excinfo:
        queue_job("send_payment_receipt_job", user_id=value, payment_id=2)

    assert "Argument 'user_id'" in str(excinfo.value)
    assert expected in str(excinfo.value)
    assert redis_client.keys("*") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc", "must be int, not str ('abc')"),
        (True, "must be int, not bool (True)"),
        (1.0, "must be int, not float (1.0)"),
    ],
    ids=["string", "bool", "float"],
)
def test_queue_job_wrong_type(app, redis_client, value, expected):
    with app.app_context(), pytest.raises(JobArgumentError) as excinfo:
        queue_job("send_payment_receipt_job", user_id=value, payment_id=2)

    assert "Argument 'user_id'" in str(excinfo.value)
    assert expected in str(excinfo.value)
    assert redis_client.keys("*") == []


def test_queue_job_annotated_types_pass(app, redis_client):
    with app.app_context():
        job = queue_job("leave_state_behind_job", email="a@example.com", fail=True)

    assert job.kwargs == {"email": "a@example.com", "fail": True}


def test_queue_job_orm_instance(app, redis_client):
    with app.app_context():
        user = User(email="ada@example.com", name="Ada")
        db.session.add(user)
        db.session.commit()

        with pytest.raises(JobArgumentError) as excinfo:
            queue_job("send_payment_receipt_job", user_id=user, payment_id=2)

    assert "is a database object" in str(excinfo.value)
    assert "user_id=user.id" in str(excinfo.value)
    assert redis_client.keys("*") == []


def test_registry_rejects_duplicate_name():
    def send_payment_receipt_job(user_id):
        return user_id

    with pytest.raises(ValueError, match="registered already by app.services.background_jobs"):
        background_job()(send_payment_receipt_job)


def test_registry_defaults():
    spec = registered_jobs()["inspect_state_job"]

    assert spec.timeout == DEFAULT_TIMEOUT
    assert spec.retries == 0
    assert spec.queue == "default"
