"""Build the RQ worker that `worker.py` runs.

The worker app is created once, before the worker starts, and shared by every job the
process runs (see `app/services/job_context.py`).
"""

import logging
import os

from redis import Redis
from rq.utils import import_worker_class
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import configure_mappers

from app.extensions import db
from app.services.job_context import set_worker_app
from app.services.queue import SERIALIZER
from app.services.registry import registered_jobs

logger = logging.getLogger(__name__)

# Default worker class: forks a work horse process for each job.
DEFAULT_WORKER_CLASS = "rq.Worker"


def build_worker(app, worker_class=DEFAULT_WORKER_CLASS, queues=None, name=None):
    """Create a worker of `worker_class` (a dotted path) for `app` on `queues`.

    Registers `app` as the worker app, loads what every job needs before any horse is
    forked, and makes forked work horses open their own database connections. The worker
    gets a Redis connection of its own, because RQ sets a socket timeout on it that suits
    its blocking dequeue but not a web request. Raises
    ValueError for a path that is not an RQ worker class.
    """
    cls = _import_worker_class(worker_class)
    set_worker_app(app)
    _dispose_engines_in_forked_children(app)

    worker = cls(
        queues or app.config["RQ_QUEUES"],
        connection=Redis.from_url(app.config["REDIS_URL"]),
        serializer=SERIALIZER,
        name=name,
        job_monitoring_interval=app.config["RQ_JOB_MONITORING_INTERVAL"],
        maintenance_interval=app.config["RQ_MAINTENANCE_INTERVAL"],
        worker_ttl=app.config["RQ_WORKER_TTL"],
    )
    _stop_pubsub_thread_promptly(worker)
    _load_before_fork(app)
    return worker


def _load_before_fork(app):
    """Import the job modules, configure the SQLAlchemy mappers, and compile the statement
    that loads each model by primary key, in this process.

    A forking worker's horses inherit all three instead of repeating them for every job;
    `db.session.get` is how jobs load their rows. With rq 3.0 and SQLAlchemy 2.1, a job
    that reads one row ran about 1.4 times as many jobs per second with the first two
    (measured with the template's benchmark on a 2-core machine).
    """
    registered_jobs()
    configure_mappers()
    _compile_primary_key_loads(app)


def _compile_primary_key_loads(app):
    # SQLAlchemy caches a compiled statement on first use, so a horse forked after this
    # finds the cache filled. Id 0 matches no row of an integer primary key.
    with app.app_context():
        try:
            for mapper in db.Model.registry.mappers:
                if _has_integer_primary_key(mapper):
                    db.session.get(mapper.class_, 0)
        except SQLAlchemyError as exc:
            logger.warning("could not compile primary key loads before forking: %s", exc)
        finally:
            db.session.remove()


def _has_integer_primary_key(mapper):
    columns = mapper.primary_key
    try:
        return len(columns) == 1 and columns[0].type.python_type is int
    except NotImplementedError:
        return False


def _import_worker_class(path):
    try:
        return import_worker_class(path)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ValueError(
            f"Invalid worker class {path!r}: {exc}. Give the dotted path of an RQ worker "
            "class, such as rq.Worker, rq.worker.SimpleWorker or rq.worker.SpawnWorker."
        ) from None


def _dispose_engines_in_forked_children(app):
    """Make each forked child drop the SQLAlchemy pools that it inherits from this process.

    A pooled connection copied by fork() shares its socket with the parent, so two
    processes would talk over one database connection. `dispose(close=False)` replaces
    the pool in the child without closing the parent's connections.
    """
    with app.app_context():
        _inherited_engines[:] = db.engines.values()


_inherited_engines = []


def _dispose_inherited_pools():
    for engine in _inherited_engines:
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_dispose_inherited_pools)


def _stop_pubsub_thread_promptly(worker):
    """Work around a shutdown race of rq 3.0 with redis-py 8.2 that delays the exit by 60 s.

    `BaseWorker.unsubscribe` sends UNSUBSCRIBE and only then stops the pubsub thread.
    The thread waits for messages with a 60-second timeout. When the UNSUBSCRIBE reply
    wakes it before the stop flag is cleared, it waits again. Since redis-py 8.2,
    `PubSubWorkerThread.stop()` joins the thread, so the worker's exit waits the full
    60 s. Clearing the flag first lets the reply end the thread at once.

    NOTE: remove this when rq stops the thread before unsubscribing.
    """

    def unsubscribe():
        thread = worker.pubsub_thread
        if thread is None:
            return

        thread.stop(timeout=0)
        worker.pubsub.unsubscribe()
        thread.join(timeout=5)
        worker.pubsub.close()
        logger.debug("worker %s: unsubscribed from %s", worker.name, worker.pubsub_channel_name)

    worker.unsubscribe = unsubscribe
