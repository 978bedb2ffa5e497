"""Run one burst RQ worker for the benchmark's variants that have no `worker.py`.

    python worker_runner.py plain WORKER_CLASS QUEUE   # bench_plain_jobs, JSON serializer
    python worker_runner.py flask-rq WORKER_CLASS      # Flask-RQ's queue, in one app context
    python worker_runner.py flask-rq flask-rq          # Flask-RQ's own subprocess worker

Runs with the rendered project directory on PYTHONPATH and REDIS_URL set. The job module
is imported before the worker starts, so forked work horses find it loaded already.
"""

import os
import sys

from redis import Redis
from rq.serializers import JSONSerializer
from rq.utils import import_worker_class

# The WORKER_CLASS argument that selects Flask-RQ's own worker, FlaskSubprocessWorker.
FLASK_RQ_WORKER = "flask-rq"


def stop_pubsub_thread_promptly(worker):
    """Stop the worker's pubsub thread before unsubscribing, as the template's worker does.

    With rq 3.0 and redis-py 8.2, the default order can make a burst worker wait 60 s
    before it exits. This only changes shutdown, and jobs run as before. It is a copy of
    `_stop_pubsub_thread_promptly` in the project's `app/services/worker.py`, because
    importing that would load Flask into the bare variant's worker.
    """

    def unsubscribe():
        thread = worker.pubsub_thread
        if thread is None:
            return

        thread.stop(timeout=0)
        worker.pubsub.unsubscribe()
        thread.join(timeout=5)
        worker.pubsub.close()

    worker.unsubscribe = unsubscribe


def run_plain(worker_class, queue_name, redis_url):
    import bench_plain_jobs  # noqa: F401

    connection = Redis.from_url(redis_url)
    worker = worker_class([queue_name], connection=connection, serializer=JSONSerializer)
    stop_pubsub_thread_promptly(worker)
    worker.work(burst=True, logging_level="INFO")


def run_flask_rq(worker_class):
    """Run Flask-RQ's queue inside the app context of its `create_app`.

    With `worker_class` None, the worker is Flask-RQ's own, from `RQ.make_worker`, which
    starts a `flask rq work-horse` process per job (FLASK_APP names the app for it).
    Otherwise it is `worker_class` on Flask-RQ's queue, and all jobs share the context:
    Flask-RQ 1.0 has no in-process worker, so this is how a user would run one.
    """
    import bench_flask_rq

    app = bench_flask_rq.create_app()
    with app.app_context():
        queue = bench_flask_rq.rq.get_queue(bench_flask_rq.QUEUE)
        if worker_class is None:
            worker = bench_flask_rq.rq.make_worker([bench_flask_rq.QUEUE])
        else:
            worker = worker_class([queue], connection=queue.connection, job_class=queue.job_class)

        stop_pubsub_thread_promptly(worker)
        worker.work(burst=True, logging_level="INFO")


def main(argv):
    if len(argv) < 2 or argv[0] not in {"plain", "flask-rq"}:
        sys.exit(f"usage: worker_runner.py plain|flask-rq WORKER_CLASS [QUEUE], not {argv!r}")

    if argv[0] == "plain":
        run_plain(import_worker_class(argv[1]), argv[2], os.environ["REDIS_URL"])
    elif argv[1] == FLASK_RQ_WORKER:
        run_flask_rq(None)
    else:
        run_flask_rq(import_worker_class(argv[1]))


if __name__ == "__main__":
    main(sys.argv[1:])
