"""The benchmark itself; `run.py` runs it in the environment it prepares.

Renders the template into a temporary directory, starts a private redis-server, and
times each variant (variants.py) under SimpleWorker and the forking Worker, interleaved
round by round so that machine noise falls on all of them alike. Then runs the rendered
project's worker over `--long-jobs` jobs and samples its resources.
"""

import argparse
import importlib.metadata
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

from redis import Redis

from . import report
from .measure import measure
from .project import add_benchmark_jobs, create_database, render
from .redis_server import RedisServer
from .resources import long_run
from .variants import WORKER_CLASSES, build_variants

# Jobs in each variant's first, untimed run, which warms caches and sizes the timed runs.
CALIBRATION_JOBS = 10

# Bounds of the job count chosen from the calibration run.
MIN_JOBS = 10
MAX_JOBS = 20000

PACKAGES = ["rq", "redis", "flask", "flask-sqlalchemy", "sqlalchemy", "flask-rq", "cookiecutter"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark per-job app context overhead.")
    parser.add_argument(
        "--rounds", type=int, default=5, help="timed runs of each variant (default: 5)"
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=3.0,
        help="target duration of each timed run in seconds, used to size it (default: 3)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        help="jobs in every timed run, with no calibration run (default: sized by --seconds)",
    )
    parser.add_argument(
        "--long-jobs",
        type=int,
        default=5000,
        help="jobs in the resource run of each worker class, 0 to skip it (default: 5000)",
    )
    parser.add_argument(
        "--venv",
        help="environment that run.py prepares and runs this in (default: .venv-bench)",
    )
    parser.add_argument("--redis-server", default="redis-server", help="redis-server to start")
    parser.add_argument("--keep", action="store_true", help="keep the rendered project and logs")
    parser.add_argument("--flask-rq-error-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.rounds < 1:
        parser.error(f"--rounds {args.rounds!r} must be at least 1")
    if args.jobs is not None and args.jobs < 2:
        parser.error(f"--jobs {args.jobs!r} must be at least 2, to time one cycle between jobs")
    if args.long_jobs < 0:
        parser.error(f"--long-jobs {args.long_jobs!r} must be 0 or more")
    return args


def flask_rq_problem(error_file):
    """Return why Flask-RQ cannot be measured, quoting pip or import, or None if it can."""
    if error_file and Path(error_file).exists():
        return Path(error_file).read_text().strip()

    try:
        import flask_rq  # noqa: F401
    except ImportError as exc:
        return f"import flask_rq failed: {exc!r}"

    return None


def machine_lines(redis_version):
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break

    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} not installed")

    return [
        f"machine: {os.cpu_count()} CPUs, {model}, load average {os.getloadavg()[0]:.2f}",
        f"python {platform.python_version()}, redis-server {redis_version}",
        ", ".join(versions),
    ]


def worker_env(project, database, redis_url):
    """Environment of every worker process: a production app on the benchmark database."""
    return {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "benchmark-only-secret",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": redis_url,
        "RQ_QUEUES": "default",
        "PYTHONPATH": str(project),
        # Flask-RQ's worker starts `python -m flask rq work-horse` with this app per job.
        "FLASK_APP": "bench_flask_rq",
    }


def job_counts(args, connection, variants, project, env, log_path):
    """Return the job count of each (worker class, variant): `--jobs`, or else the count
    that an untimed calibration run of each predicts for `--seconds`."""
    counts = {}
    for worker_class in WORKER_CLASSES:
        for variant in variants:
            if args.jobs is not None:
                counts[(worker_class, variant.key)] = args.jobs
                continue

            run = measure(
                connection, variant, worker_class, CALIBRATION_JOBS, project, env, log_path
            )
            sized = round(run.jobs_per_second * args.seconds)
            counts[(worker_class, variant.key)] = min(MAX_JOBS, max(MIN_JOBS, sized))

    return counts


def timed_rounds(args, connection, variants, counts, project, env, log_path):
    """Run every (worker class, variant) once per round, rotating the order each round."""
    pairs = [(worker_class, variant) for worker_class in WORKER_CLASSES for variant in variants]
    results = {(worker_class, variant.key): [] for worker_class, variant in pairs}

    for number in range(args.rounds):
        shift = number % len(pairs)
        for worker_class, variant in pairs[shift:] + pairs[:shift]:
            count = counts[(worker_class, variant.key)]
            run = measure(connection, variant, worker_class, count, project, env, log_path)
            results[(worker_class, variant.key)].append(run)
        print(f"round {number + 1}/{args.rounds} done", flush=True)

    return results


def print_results(args, results, variants, problem):
    labels = [(variant.key, variant.label) for variant in variants]
    skipped = {}
    if problem is not None:
        labels.append(("flask-rq", "flask-rq 1.0"))
        skipped["flask-rq"] = problem.splitlines()[-1]
        print(f"Flask-RQ was not measured:\n{problem}")

    print()
    print(f"median, min and max of {args.rounds} rounds; +ms/job and ratio to bare rq:")
    print("medians of the per-round differences and ratios")
    for line in report.table_lines(results, labels, list(WORKER_CLASSES), skipped):
        print(line)
    print("body ms: median time in the job function; the rest of ms/job is RQ's own work")
    print("flask-rq 1.0 under Worker is its FlaskSubprocessWorker, which starts a new")
    print("`flask rq work-horse` process per job")
    print()
    for line in report.target_lines(results):
        print(line)


def main(argv=None):
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="flask-rq-bench-"))
    log_path = workdir / "workers.log"
    database = workdir / "bench.sqlite"

    with RedisServer(args.redis_server) as server:
        project, render_seconds = render(workdir)
        add_benchmark_jobs(project)
        sys.path.insert(0, str(project))
        env = worker_env(project, database, server.url)
        os.environ.update(env)
        create_database(database)

        from app import create_app

        app = create_app()
        connection = Redis.from_url(server.url)
        problem = flask_rq_problem(args.flask_rq_error_file)
        variants = build_variants(project, app, connection, with_flask_rq=problem is None)

        for line in machine_lines(server.version()):
            print(line)
        print(f"redis: {server.kind}")
        print(f"rendering the template: {render_seconds * 1000:.0f} ms")
        print(f"worker output: {log_path}", flush=True)

        started = time.monotonic()
        counts = job_counts(args, connection, variants, project, env, log_path)
        results = timed_rounds(args, connection, variants, counts, project, env, log_path)
        print_results(args, results, variants, problem)

        template = next(variant for variant in variants if variant.key == "template")
        for worker_class in WORKER_CLASSES if args.long_jobs else []:
            samples = long_run(
                connection, app, template, worker_class, args.long_jobs, project, env, log_path
            )
            print()
            for line in report.resource_lines(worker_class, samples):
                print(line)

        print(f"\nload average {os.getloadavg()[0]:.2f}; took {time.monotonic() - started:.0f} s")
        connection.close()

    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
