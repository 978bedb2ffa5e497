"""Run the benchmark with a few jobs: it must print every row of its table with positive
figures, the targets, and the resource samples. The figures themselves are not checked."""

import re
import shutil
import subprocess
import sys

from tests.conftest import TEMPLATE

# Seconds the tiny benchmark run may take, including the first install of `.venv-bench`.
BENCHMARK_TIMEOUT = 300

WORKER_CLASSES = ["SimpleWorker", "Worker"]
VARIANTS = ["bare rq", "create_app per job", "this template", "flask-rq 1.0"]
NUMBER = r"(\d+\.\d+)"


def table_row(output, worker_class, variant):
    """Return the jobs, jobs/s median, min, max, ms/job, +ms/job, body ms and ratio of one
    row of the table."""
    pattern = (
        rf"^{worker_class} +{re.escape(variant)} +(\d+) +{NUMBER} +{NUMBER} +{NUMBER} "
        rf"+{NUMBER} +(-?\d+\.\d+) +{NUMBER} +{NUMBER}$"
    )
    match = re.search(pattern, output, re.MULTILINE)
    assert match, f"no table row for {worker_class} / {variant} in:\n{output}"
    return [float(value) for value in match.groups()]


def flask_rq_not_measured(output, worker_class):
    """Return the reason printed when Flask-RQ could not be installed, or None."""
    match = re.search(rf"^{worker_class} +flask-rq 1\.0 +not measured: (.+)$", output, re.MULTILINE)
    return match.group(1) if match else None


def run_benchmark(*args):
    """Run the benchmark in its default environment, `.venv-bench`, which the first run
    creates and later runs reuse."""
    return subprocess.run(
        [sys.executable, str(TEMPLATE / "benchmarks" / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=BENCHMARK_TIMEOUT,
    )


def check_table_rows(output):
    for worker_class in WORKER_CLASSES:
        for variant in VARIANTS:
            if variant == "flask-rq 1.0" and flask_rq_not_measured(output, worker_class):
                continue

            jobs, median, low, high, ms_per_job, _, body_ms, ratio = table_row(
                output, worker_class, variant
            )

            assert jobs == 5
            assert low <= median <= high
            assert low > 0
            assert ms_per_job > 0
            assert 0 < body_ms < ms_per_job
            assert ratio > 0


def check_bare_ratio_one(output):
    for worker_class in WORKER_CLASSES:
        *_, overhead, _, ratio = table_row(output, worker_class, "bare rq")

        assert ratio == 1.0
        assert overhead == 0.0


def check_targets(output):
    targets = re.findall(rf"^target .+ >= {NUMBER}: {NUMBER} (met|MISSED)$", output, re.MULTILINE)

    assert len(targets) == 4, output
    assert all(float(ratio) > 0 for _, ratio, _ in targets)


def check_resource_samples(output):
    growth = re.findall(
        r"^growth over 20 jobs: RSS [-+]\d+\.\d MiB, open fds [-+]\d+, engines [-+]\d+$",
        output,
        re.MULTILINE,
    )

    assert len(growth) == 2, output
    assert "SimpleWorker worker:" in output
    assert "Worker parent:" in output


def test_benchmark_tiny_run():
    """One test, because the run and its environment take most of the time, and this
    suite's xdist workers would otherwise each repeat them."""
    completed = run_benchmark("--jobs", "5", "--rounds", "1", "--long-jobs", "20")
    output = completed.stdout + completed.stderr

    assert completed.returncode == 0, output
    redis_kind = "redis-server (" if shutil.which("redis-server") else "fakeredis TCP server"
    assert f"redis: {redis_kind}" in output
    check_table_rows(output)
    check_bare_ratio_one(output)
    check_targets(output)
    check_resource_samples(output)

    for args, message in [
        (["--rounds", "0"], "--rounds 0 must be at least 1"),
        (["--jobs", "1"], "--jobs 1 must be at least 2"),
        (["--long-jobs", "-5"], "--long-jobs -5 must be 0 or more"),
    ]:
        rejected = run_benchmark(*args)

        assert rejected.returncode == 2, args
        assert message in rejected.stderr
