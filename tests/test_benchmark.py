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


@pytest.fixture(scope="module")
def benchmark_output(tmp_path_factory):
    if shutil.which("redis-server") is None:
        pytest.skip("the benchmark starts its own redis-server, and none is on PATH")

    venv_dir = tmp_path_factory.mktemp("bench") / "venv"
    completed = subprocess.run(
        [
            sys.executable,
            str(TEMPLATE / "benchmarks" / "run.py"),
            *("--jobs", "5", "--rounds", "1", "--long-jobs", "20"),
            *("--venv", str(venv_dir)),
        ],
        capture_output=True,
        text=True,
        timeout=BENCHMARK_TIMEOUT,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    return output


def test_benchmark_table_rows(benchmark_output):
    for worker_class in WORKER_CLASSES:
        for variant in VARIANTS:
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
