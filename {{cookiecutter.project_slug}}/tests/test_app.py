"""The app factory, its settings, and the web endpoints."""

import pytest

from app import create_app
from app.extensions import db
from app.models import Payment
from app.services.queue import get_queue
from tests.conftest import add_user


def test_production_requires_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)

    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"APP_ENV": "production"})


def test_production_with_secret_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-value")

    app = create_app({"APP_ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert app.config["SECRET_KEY"] == "a-long-random-value"
    assert app.config["PREFERRED_URL_SCHEME"] == "https"
    assert not app.debug


def test_unknown_environment():
    with pytest.raises(ValueError, match="APP_ENV='staging' is not a known environment"):
        create_app({"APP_ENV": "staging"})


def test_environment_variables_read(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6390/3")
    monkeypatch.setenv("RQ_QUEUES", "high, default")
    monkeypatch.setenv("MAIL_TIMEOUT", "2.5")

    app = create_app({"APP_ENV": "testing"})

    assert app.config["REDIS_URL"] == "redis://127.0.0.1:6390/3"
    assert app.config["RQ_QUEUES"] == ["high", "default"]
    assert app.config["MAIL_TIMEOUT"] == 2.5


def test_create_payment_enqueues_receipt(app, client):
    user_id = add_user(app)

    response = client.post("/payments", json={"user_id": user_id, "amount_cents": 4200})

    assert response.status_code == 201
    body = response.get_json()
    with app.app_context():
        assert db.session.get(Payment, body["payment_id"]).amount_cents == 4200
        assert get_queue().job_ids == [body["job_id"]]
    assert body["job_url"] == f"/jobs/{body['job_id']}"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"user_id": 999, "amount_cents": 100}, "user_id 999 is not the id of an existing user"),
        ({"user_id": "1", "amount_cents": 100}, "user_id '1' is not the id"),
        ({"amount_cents": 100}, "user_id None"),
        ({"user_id": 1, "amount_cents": -5}, "amount_cents -5 must be an integer, 1 to"),
        ({"user_id": 1, "amount_cents": True}, "amount_cents True must be an integer"),
        ({"user_id": True, "amount_cents": 100}, "user_id True is not the id"),
        ({"user_id": 1, "amount_cents": 10**23}, "amount_cents 100000000000000000000000 must"),
        ({"user_id": 10**23, "amount_cents": 100}, "is not the id of an existing user"),
        ([1, 2], "The request body must be a JSON object"),
        ({"user_id": 1, "amount_cents": 1.5}, "amount_cents 1.5 must be"),
        ({"user_id": 1, "amount_cents": 100, "currency": "euro"}, "currency 'euro' must be"),
    ],
    ids=[
        "unknown-user",
        "string-id",
        "no-user",
        "negative",
        "bool-amount",
        "bool-user",
        "huge-amount",
        "huge-user",
        "not-object",
        "fraction",
        "currency",
    ],
)
def test_create_payment_rejects(app, client, payload, expected):
    add_user(app)

    response = client.post("/payments", json=payload)

    assert response.status_code == 400
    assert expected in response.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 0
        assert get_queue().count == 0


def test_job_status(app, client):
    user_id = add_user(app)
    job_id = client.post("/payments", json={"user_id": user_id, "amount_cents": 100}).get_json()[
        "job_id"
    ]

    response = client.get(f"/jobs/{job_id}")

    assert response.status_code == 200
    assert response.get_json()["status"] == "queued"
    assert response.get_json()["func"].endswith("send_payment_receipt_job")


def test_create_payment_not_json(client):
    response = client.post("/payments", data="user_id=1", content_type="text/plain")

    assert response.status_code == 400
    assert "must be a JSON object" in response.get_json()["message"]


def test_job_status_invalid_id(client):
    response = client.get("/jobs/a%20b")

    assert response.status_code == 404
    assert "No job with id 'a b'" in response.get_json()["message"]


def test_default_environment_is_production(monkeypatch):
    monkeypatch.setattr("app.load_dotenv", lambda *args, **kwargs: None)
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.setenv("SECRET_KEY", "   ")

    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app()


def test_mail_debug_off_in_development(monkeypatch):
    monkeypatch.delenv("MAIL_DEBUG", raising=False)

    app = create_app({"APP_ENV": "development", "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert app.debug
    assert app.config["MAIL_DEBUG"] is False
    assert not app.extensions["mail"].debug


def test_job_status_unknown(client):
    response = client.get("/jobs/no-such-job")

    assert response.status_code == 404
    assert "No job with id 'no-such-job'" in response.get_json()["message"]


def test_show_payment_unknown(client):
    response = client.get("/payments/12345")

    assert response.status_code == 404


def test_cli_init_db_and_add_user(app):
    runner = app.test_cli_runner()

    assert "Created missing tables" in runner.invoke(args=["init-db"]).output
    added = runner.invoke(args=["add-user", "grace@example.com", "Grace Hopper"])
    again = runner.invoke(args=["add-user", "grace@example.com", "Grace Hopper"])

    assert added.exit_code == 0
    assert "Added user 1 <grace@example.com>" in added.output
    assert again.exit_code != 0
    assert "A user with email 'grace@example.com' exists already" in again.output
