"""Flask-Migrate: the migrations build the tables the models describe, and undo them."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
from tests.database import database_url_for_processes


@pytest.fixture
def empty_app(tmp_path, redis_server):
    """An app on an empty database, which the test migrates; every table is dropped after."""
    app = create_app(
        {
            "APP_ENV": "testing",
            "REDIS_URL": redis_server.url,
            "SQLALCHEMY_DATABASE_URI": database_url_for_processes(tmp_path),
        }
    )
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []

    yield app

    with app.app_context():
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.engine.dispose()
    app.extensions["redis"].close()


def table_names(app):
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def test_upgrade_creates_model_tables(empty_app):
    with empty_app.app_context():
        upgrade()

    assert table_names(empty_app) == {*db.metadata.tables, "alembic_version"}


def test_upgrade_leaves_no_model_changes(empty_app):
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            changes = compare_metadata(MigrationContext.configure(connection), db.metadata)

    assert changes == [], "run `flask --app app db migrate` to add a migration for these"


def test_downgrade_to_base(empty_app):
    with empty_app.app_context():
        upgrade()
        downgrade(revision="base")

    assert table_names(empty_app) == {"alembic_version"}
