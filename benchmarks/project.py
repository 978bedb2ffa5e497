"""Render the template into a directory and add the benchmark's jobs and database."""

import shutil
import sqlite3
import time
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = Path(__file__).resolve().parent / "project_files"

# Users in the benchmark database; job number i reads user (i % USERS) + 1.
USERS = 100


def render(output_dir):
    """Render the template with its defaults into `output_dir`.

    Returns the project directory and the seconds that rendering took.
    """
    started = time.perf_counter()
    project = cookiecutter(str(TEMPLATE_ROOT), no_input=True, output_dir=str(output_dir))
    return Path(project), time.perf_counter() - started


def add_benchmark_jobs(project):
    """Copy the benchmark's job modules into `project` and append its registered jobs to
    `app/services/background_jobs.py`, where the project's own jobs live."""
    for name in ["bench_plain_jobs.py", "bench_flask_rq.py"]:
        shutil.copy(PROJECT_FILES / name, project / name)

    jobs_module = project / "app" / "services" / "background_jobs.py"
    addition = (PROJECT_FILES / "background_jobs_addition.py").read_text()
    jobs_module.write_text(jobs_module.read_text() + "\n\n" + addition)


def create_database(path):
    """Create the project's tables in the SQLite file `path` and add USERS users.

    Uses the project's own `create_app` and models, so the schema is the generated one.
    """
    from app import create_app
    from app.extensions import db
    from app.models import User

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        db.session.add_all(
            User(email=f"user{number}@example.com", name=f"User {number}")
            for number in range(1, USERS + 1)
        )
        db.session.commit()
        db.engine.dispose()

    with sqlite3.connect(path) as connection:
        count = connection.execute("SELECT count(*) FROM users").fetchone()[0]
    if count != USERS:
        raise RuntimeError(f"The benchmark database {path} has {count} users, not {USERS}.")


def user_id_for(number):
    return number % USERS + 1
