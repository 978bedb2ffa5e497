"""build_worker: worker classes, database pools after fork, and prompt shutdown."""

import os
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest
from rq.worker import BaseWorker, SimpleWorker, SpawnWorker, Worker

from app import create_app
from app.extensions import db
from app.services import job_context
from app.services.worker import build_worker

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Prints whether the job modules are imported and the mappers configured, before and
# after build_worker, in an interpreter that has done neither yet.
LOADED_BEFORE_FORK = """
import sys
from sqlalchemy import inspect
from app import create_app
from app.models import User
from app.services.worker import build_worker

def loaded():
    return 'app.services.background_jobs' in sys.modules, inspect(User).configured

before = loaded()
build_worker(create_app({'APP_ENV': 'testing', 'REDIS_URL': sys.argv[1]}), 'rq.Worker')
print(before, loaded())
"""


@pytest.fixture
def file_app(tmp_path, redis_client, redis_server):
    database_url = f"sqlite:///{tmp_path / 'pool.sqlite'}"
    app = create_app(
        {
            "APP_ENV": "testing",
            "REDIS_URL": redis_server.url,
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
    )
    yield app
    job_context.set_worker_app(None)
    with app.app_context():
        db.engine.dispose()
    app.extensions["redis"].close()


@pytest.mark.parametrize(
    ("path", "cls"),
    [
        ("rq.Worker", Worker),
        ("rq.worker.SimpleWorker", SimpleWorker),
        ("rq.worker.SpawnWorker", SpawnWorker),
    ],
    ids=["fork", "simple", "spawn"],
)
def test_build_worker_class(file_app, path, cls):
    worker = build_worker(file_app, path)

    assert type(worker) is cls
    assert job_context.get_worker_app() is file_app
    assert worker.serializer.__name__ == "JSONSerializer"


@pytest.mark.parametrize("path", ["rq.Nope", "os.path", "rq.job.Job", "nowhere.Worker"])
def test_build_worker_bad_class(file_app, path):
    with pytest.raises(ValueError, match=f"Invalid worker class {path!r}"):
        build_worker(file_app, path)


def test_build_worker_loads_jobs_first(file_app):
    completed = subprocess.run(
        [sys.executable, "-c", LOADED_BEFORE_FORK, file_app.config["REDIS_URL"]],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "(False, False) (True, True)"


def test_forked_child_gets_fresh_pool(file_app):
    build_worker(file_app, "rq.Worker")
    with file_app.app_context():
        db.session.execute(db.text("SELECT 1"))
        db.session.remove()
        assert db.engine.pool.checkedin() == 1
        parent_pool = db.engine.pool

    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() in a process with threads; this child only
        # reports its pool and exits.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()

    if pid == 0:
        with file_app.app_context():
            fresh = db.engine.pool is not parent_pool and db.engine.pool.checkedin() == 0
        os.write(write_end, b"fresh" if fresh else b"inherited")
        os._exit(0)

    os.close(write_end)
    report = os.read(read_end, 32)
    os.close(read_end)
    os.waitpid(pid, 0)

    assert report == b"fresh"
    with file_app.app_context():
        assert db.engine.pool.checkedin() == 1


def _delay_unsubscribe(worker):
    """Let the pubsub thread read the UNSUBSCRIBE reply before anything else happens,
    which is the losing order of the race in rq's own `unsubscribe`."""
    send_unsubscribe = worker.pubsub.unsubscribe

    def unsubscribe_then_wait(*args):
        send_unsubscribe(*args)
        time.sleep(0.5)

    worker.pubsub.unsubscribe = unsubscribe_then_wait


def test_worker_unsubscribes_promptly(file_app):
    worker = build_worker(file_app, "rq.worker.SimpleWorker")
    worker.subscribe()
    _delay_unsubscribe(worker)

    started = time.monotonic()
    worker.unsubscribe()

    assert time.monotonic() - started < 3
    assert not worker.pubsub_thread.is_alive()


def test_stock_unsubscribe_still_races(file_app):
    """rq's own unsubscribe still waits for the pubsub thread's 60 s read when it loses the
    race. When this fails, rq has fixed it: remove `_stop_pubsub_thread_promptly`."""
    worker = SimpleWorker(["default"], connection=file_app.extensions["redis"])
    worker.subscribe()
    _delay_unsubscribe(worker)

    stock = threading.Thread(target=BaseWorker.unsubscribe, args=(worker,), daemon=True)
    stock.start()
    stock.join(timeout=3)

    assert stock.is_alive()


def test_build_worker_compiles_primary_key_loads(file_app):
    with file_app.app_context():
        db.create_all()
        engine = db.engine
    cached_before = len(engine._compiled_cache)

    build_worker(file_app, "rq.Worker")

    assert len(engine._compiled_cache) > cached_before


def test_build_worker_without_database(tmp_path, redis_server, caplog):
    app = create_app(
        {
            "APP_ENV": "testing",
            "REDIS_URL": redis_server.url,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'none.sqlite'}",
        }
    )

    worker = build_worker(app, "rq.worker.SimpleWorker")

    assert type(worker) is SimpleWorker
    assert "could not compile primary key loads before forking" in caplog.text
    job_context.set_worker_app(None)
    with app.app_context():
        db.engine.dispose()
    app.extensions["redis"].close()
