"""Run the benchmark with a few jobs: it must print every row of its table with positive
figures, the targets, and the resource samples. The figures themselves are not checked."""

import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import TEMPLATE

# Seconds the tiny benchmark run may take, including its virtual environment.
BENCHMARK_TIMEOUT = 300

WORKER_CLASSES = ["SimpleWorker", "Worker"]
VARIANTS = ["bare rq", "create_app per job", "this template", "flask-rq 1.0"]
NUMBER = r"(\d+\.\d+)"

# One xdist worker runs all these tests, so the module fixture runs the benchmark once.
pytestmark = pytest.mark.xdist_group("benchmark")


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


def run_benchmark(venv_dir, *args):
    return subprocess.run(
        [sys.executable, str(TEMPLATE / "benchmarks" / "run.py"), "--venv", str(venv_dir), *args],
        capture_output=True,
        text=True,
        timeout=BENCHMARK_TIMEOUT,
    )


@pytest.fixture(scope="module")
def venv_dir(tmp_path_factory):
    if shutil.which("redis-server") is None:
        pytest.skip("the benchmark starts its own redis-server, and none is on PATH")

    return tmp_path_factory.mktemp("bench") / "venv"


@pytest.fixture(scope="module")
def benchmark_output(venv_dir):
    completed = run_benchmark(venv_dir, "--jobs", "5", "--rounds", "1", "--long-jobs", "20")
    output = completed.stdout + completed.stderr

    assert completed.returncode == 0, output
    return output


def flask_rq_not_measured(output, worker_class):
    """Return the reason printed when Flask-RQ could not be installed, or None."""
    match = re.search(rf"^{worker_class} +flask-rq 1\.0 +not measured: (.+)$", output, re.MULTILINE)
    return match.group(1) if match else None


def test_benchmark_table_rows(benchmark_output):
    for worker_class in WORKER_CLASSES:
        for variant in VARIANTS:
            if variant == "flask-rq 1.0" and flask_rq_not_measured(benchmark_output, worker_class):
                continue

            jobs, median, low, high, ms_per_job, _, body_ms, ratio = table_row(
                benchmark_output, worker_class, variant
            )

            assert jobs == 5
            assert low <= median <= high
            assert low > 0
            assert ms_per_job > 0
            assert 0 < body_ms < ms_per_job
            assert ratio > 0


def test_benchmark_bare_ratio_one(benchmark_output):
    for worker_class in WORKER_CLASSES:
        *_, overhead, _, ratio = table_row(benchmark_output, worker_class, "bare rq")

        assert ratio == 1.0
        assert overhead == 0.0


def test_benchmark_targets_printed(benchmark_output):
    targets = re.findall(
        rf"^target .+ >= {NUMBER}: {NUMBER} (met|MISSED)$", benchmark_output, re.MULTILINE
    )

    assert len(targets) == 4, benchmark_output
    assert all(float(ratio) > 0 for _, ratio, _ in targets)


def test_benchmark_resource_samples(benchmark_output):
    growth = re.findall(
        r"^growth over 20 jobs: RSS [-+]\d+\.\d MiB, open fds [-+]\d+, engines [-+]\d+$",
        benchmark_output,
        re.MULTILINE,
    )

    assert len(growth) == 2, benchmark_output
    assert "SimpleWorker worker:" in benchmark_output
    assert "Worker parent:" in benchmark_output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rounds", "0"], "--rounds 0 must be at least 1"),
        (["--jobs", "1"], "--jobs 1 must be at least 2"),
        (["--long-jobs", "-5"], "--long-jobs -5 must be 0 or more"),
    ],
)
def test_benchmark_bad_options(benchmark_output, venv_dir, args, message):
    completed = run_benchmark(venv_dir, *args)

    assert completed.returncode == 2
    assert message in completed.stderr
