"""Benchmark jobs without the template's wrapper, copied into the rendered project.

`read_user_sqlite` is the floor: plain sqlite3, no Flask. `read_user_create_app` is the
common fix for a missing app context: a whole app created inside every job.
"""

import os
import sqlite3

from app import create_app
from app.extensions import db
from app.models import User


def read_user_sqlite(user_id):
    """Return the email of user `user_id`, read over a new sqlite3 connection."""
    path = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
    connection = sqlite3.connect(path)
    try:
        row = connection.execute("SELECT email FROM users WHERE id = ?", (user_id,)).fetchone()
    finally:
        connection.close()

    return row[0]


def read_user_create_app(user_id):
    """Return the email of user `user_id`, read in an app created for this call alone."""
    app = create_app()
    with app.app_context():
        return db.session.get(User, user_id).email
