#!/usr/bin/env python
"""Start RQ's cron scheduler, which enqueues this project's periodic jobs on schedule.

    python cron.py                        # enqueue on schedule until SIGTERM or Ctrl-C

The jobs and their schedule are in `app/services/periodic_jobs.py`; `python worker.py`
runs them. Run one scheduler per Redis: two would enqueue every job twice.
Reads REDIS_URL and DATABASE_URL from the environment or the project's `.env`.
"""

import argparse
import logging
import sys
from pathlib import Path

# Make `app` importable when the scheduler starts from another working directory.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from app import create_app  # noqa: E402
from app.services.cron_scheduler import AppCronScheduler  # noqa: E402
from app.services.periodic_jobs import register_periodic_jobs  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Enqueue this project's periodic jobs.")
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

    scheduler = AppCronScheduler(create_app())
    register_periodic_jobs(scheduler)
    scheduler.start()


if __name__ == "__main__":
    main()
