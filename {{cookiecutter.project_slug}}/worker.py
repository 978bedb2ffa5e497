#!/usr/bin/env python
"""Start an RQ worker that runs this project's background jobs.

    python worker.py                      # work until SIGTERM or Ctrl-C
    python worker.py --burst              # run what is queued, then exit
    python worker.py --worker-class rq.worker.SimpleWorker high default

Reads REDIS_URL, DATABASE_URL and RQ_QUEUES from the environment or the project's `.env`.
SIGTERM or Ctrl-C lets the running job finish, then exits; a second one stops the job.
"""

import argparse
import logging
import sys
from pathlib import Path

# Make `app` importable when the worker starts from another working directory.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from app import create_app  # noqa: E402
from app.services.worker import DEFAULT_WORKER_CLASS, build_worker  # noqa: E402

logger = logging.getLogger("worker")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Run an RQ worker for this project.")
    parser.add_argument(
        "queues",
        nargs="*",
        help="queues to listen on, highest priority first (default: RQ_QUEUES, or 'default')",
    )
    parser.add_argument(
        "--burst", action="store_true", help="run the queued jobs, then exit instead of waiting"
    )
    parser.add_argument(
        "--worker-class",
        default=DEFAULT_WORKER_CLASS,
        help=f"dotted path of the RQ worker class (default: {DEFAULT_WORKER_CLASS}, which forks "
        "a process per job; rq.worker.SimpleWorker runs jobs in this process)",
    )
    parser.add_argument("--name", help="worker name shown by `rq info` (default: random)")
    parser.add_argument(
        "--logging-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level (default: INFO)",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(
        level=args.logging_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    try:
        app = create_app()
        worker = build_worker(app, args.worker_class, args.queues or None, name=args.name)
    except (RuntimeError, ValueError) as exc:
        sys.exit(f"worker.py: {exc}")

    redis_url = worker.connection.get_connection_kwargs()
    logger.info(
        "worker %s: %s on queues %s, Redis %s:%s db %s",
        worker.name,
        type(worker).__name__,
        ",".join(worker.queue_names()),
        redis_url.get("host"),
        redis_url.get("port"),
        redis_url.get("db"),
    )
    worker.work(burst=args.burst, logging_level=args.logging_level, with_scheduler=True)


if __name__ == "__main__":
    main()
