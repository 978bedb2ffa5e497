"""The rendered project run through Flask-RQ 1.0, copied into it by the benchmark.

`flask --app bench_flask_rq rq worker` starts Flask-RQ's own worker, which runs each job
in a new `flask rq work-horse` process that loads this app again.
"""

from app import create_app as create_project_app
from app.extensions import db
from app.models import User
from flask_rq import RQ

QUEUE = "flask_rq"

rq = RQ()


def create_app():
    """Create the project's app with Flask-RQ bound to its Redis and the QUEUE queue."""
    app = create_project_app()
    app.config["RQ_CONNECTION"] = app.config["REDIS_URL"]
    app.config["RQ_QUEUES"] = [QUEUE]
    rq.init_app(app)
    return app


@rq.job(queue=QUEUE)
def read_user(user_id):
    """Return the email of user `user_id`; Flask-RQ's horse has pushed an app context."""
    return db.session.get(User, user_id).email
