"""The database of a test run: in-memory SQLite, or a schema of its own in PostgreSQL.

`TEST_DATABASE_URL` names the database. The default, DEFAULT_TEST_DATABASE_URL, is
{%- if cookiecutter.database == "postgresql" %}
the PostgreSQL database `test` on 127.0.0.1:5432, as user postgres.
{%- else %}
in-memory SQLite.
{%- endif %}
For a PostgreSQL URL the run creates a schema of its own, points every connection's
`search_path` at it, and drops it at the end, so that test runs in parallel on one database
do not see each other's tables. A PostgreSQL server that cannot be reached stops the run
with the URL and what to do, and nothing is skipped.
"""

import os
import secrets
from dataclasses import dataclass, field

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

DEFAULT_TEST_DATABASE_URL = "{% if cookiecutter.database == 'postgresql' %}postgresql+psycopg://postgres@127.0.0.1:5432/test{% else %}sqlite://{% endif %}"


@dataclass
class RunDatabase:
    """The database of this run: the URL that tests and worker processes connect with."""

    url: str
    description: str
    drop: object = field(default=lambda: None, repr=False)


def prepare_database():
    """Return the RunDatabase for `TEST_DATABASE_URL`, creating its schema on PostgreSQL.

    Raises pytest.UsageError, which ends the run, when PostgreSQL cannot be reached.
    """
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
    if not url.startswith("postgresql"):
        return RunDatabase(url, url)

    return _create_schema(url)


def _create_schema(url):
    schema = f"test_{os.getpid()}_{secrets.token_hex(4)}"
    display_url = make_url(url).render_as_string(hide_password=True)
    engine = create_engine(url)

    try:
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0]
        raise pytest.UsageError(
            f"PostgreSQL at TEST_DATABASE_URL={display_url!r} is not reachable: {reason}. Start "
            "PostgreSQL there, or set TEST_DATABASE_URL to a database where you may create "
            "schemas, such as postgresql+psycopg://postgres@127.0.0.1:5432/test."
        ) from None

    def drop():
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    schema_url = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return RunDatabase(
        schema_url.render_as_string(hide_password=False),
        f"PostgreSQL {display_url}, schema {schema}",
        drop,
    )


def database_url_for_processes(tmp_path):
    """Return a database URL that the test process and a worker process both open.

    In-memory SQLite exists in one process only, so it is replaced by a SQLite file in
    `tmp_path`; a server database is shared as it is.
    """
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'shared.sqlite'}"

    return url
