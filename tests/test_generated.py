"""Install rendered projects into a fresh virtual environment and run their own suites,
including the test that runs `python worker.py --burst` as a real process."""

import re
import socket

from tests.combinations import EVERYTHING
from tests.conftest import render, run_suite


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def summary(output):
    """The '== N passed ... ==' line of a pytest run."""
    return output.strip().splitlines()[-1]


def test_generated_suite_defaults(project_python, default_project):
    completed = run_suite(project_python, default_project)
    output = completed.stdout + completed.stderr

    assert completed.returncode == 0, output
    assert re.search(r"redis: (server at REDIS_URL|redis-server from PATH)", output), output
    assert "failed" not in summary(output)
    assert "skipped" not in summary(output)
    assert re.search(r"\b\d{2,} passed", summary(output)), output


def test_generated_suite_without_redis(project_python, default_project):
    """No Redis responds at REDIS_URL and none is on PATH: the suite, real worker included,
    runs against fakeredis's TCP server."""
    env = {
        "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0",
        "PATH": str(project_python.parent),
    }

    completed = run_suite(project_python, default_project, env=env)
    output = completed.stdout + completed.stderr

    assert completed.returncode == 0, output
    assert "redis: fakeredis TCP server" in output
    assert "skipped" not in summary(output)


def test_generated_suite_custom_name(project_python, tmp_path):
    """The jobs and the real worker under another package name; the defaults' suite
    covers the rest of the same code."""
    project = render(tmp_path, project_name="Fern Bakery-Orders", python_version="3.11")

    completed = run_suite(
        project_python, project, args=["tests/test_jobs.py", "tests/test_worker.py"]
    )
    output = completed.stdout + completed.stderr

    assert completed.returncode == 0, output
    assert project.name == "fern_bakery_orders"
    assert re.search(r"\b\d{2,} passed", summary(output)), output


def test_canary_without_context_wrapper(project_python, tmp_path):
    """Replace the per-job context wrapper with a no-op: the generated suite must fail.
    A suite that stays green without the wrapper would prove nothing."""
    project = render(tmp_path)
    module = project / "app" / "services" / "job_context.py"
    source = module.read_text()
    wrapper_start = source.index("    @functools.wraps(func)\n    def run_in_app_context")
    wrapper_end = source.index("    return run_in_app_context\n") + len(
        "    return run_in_app_context\n"
    )
    module.write_text(source[:wrapper_start] + "    return func\n" + source[wrapper_end:])

    # The wrapper exists for the job and worker tests. The reliability tests would only
    # wait out their timeouts for jobs that cannot run.
    completed = run_suite(
        project_python, project, args=["tests/test_jobs.py", "tests/test_worker.py"]
    )
    output = completed.stdout + completed.stderr

    assert completed.returncode != 0, output
    assert "FAILED tests/test_jobs.py::test_receipt_job_without_app_context" in output
    assert "Working outside of application context" in output
    for worker_class in ["rq.Worker", "rq.worker.SimpleWorker"]:
        assert (
            f"FAILED tests/test_worker.py::test_worker_delivers_receipt[{worker_class}]" in output
        )


def test_generated_suite_postgresql(project_python, tmp_path):
    """Every option on: the suite runs against the PostgreSQL server at 127.0.0.1:5432, in a
    schema of its own, with the migration, fork, cron and Docker tests."""
    project = render(tmp_path, **EVERYTHING)

    completed = run_suite(project_python, project, args=["-rA"])
    output = completed.stdout + completed.stderr

    assert completed.returncode == 0, output
    assert re.search(r"database: PostgreSQL \S+@127\.0\.0\.1:5432/test, schema test_", output)
    assert "skipped" not in summary(output)
    for test in [
        "PASSED tests/test_postgres.py::test_horse_opens_own_connection",
        "PASSED tests/test_migrations.py::test_upgrade_leaves_no_model_changes",
        "PASSED tests/test_cron.py::test_cron_process_feeds_worker",
        "PASSED tests/test_docker.py::test_dockerfile_copies_existing_files",
        "PASSED tests/test_worker.py::test_worker_delivers_receipt[rq.Worker]",
    ]:
        assert test in output


def test_generated_suite_sqlite_options(project_python, tmp_path):
    """SQLite with migrations and periodic jobs, and without CI."""
    options = {"use_migrations": True, "periodic_jobs": True, "ci": "none"}
    project = render(tmp_path, **options)

    completed = run_suite(project_python, project, args=["-rA"])
    output = completed.stdout + completed.stderr

    assert completed.returncode == 0, output
    assert "database: sqlite://" in output
    assert "skipped" not in summary(output)
    assert "PASSED tests/test_migrations.py::test_upgrade_leaves_no_model_changes" in output
    assert "PASSED tests/test_cron.py::test_cron_process_feeds_worker" in output


def test_generated_postgresql_unreachable(project_python, tmp_path):
    """No PostgreSQL server listens at TEST_DATABASE_URL: the run stops with the URL and
    the fix, and skips nothing."""
    project = render(tmp_path, database="postgresql")
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/test"

    completed = run_suite(project_python, project, env={"TEST_DATABASE_URL": url})
    output = completed.stdout + completed.stderr

    assert completed.returncode != 0, output
    assert f"PostgreSQL at TEST_DATABASE_URL={url!r} is not reachable" in output
    assert "Start PostgreSQL there, or set TEST_DATABASE_URL" in output
    assert "passed" not in output
    assert "skipped" not in output


def test_canary_without_fork_hook(project_python, tmp_path):
    """Remove the after-fork hook that replaces a work horse's inherited connection pool:
    the PostgreSQL fork test must then see the parent's server process in the job."""
    project = render(tmp_path, database="postgresql")
    module = project / "app" / "services" / "worker.py"
    hook = "os.register_at_fork(after_in_child=_dispose_inherited_pools)\n"
    source = module.read_text()
    assert hook in source
    module.write_text(source.replace(hook, ""))

    completed = run_suite(project_python, project, args=["tests/test_postgres.py"])
    output = completed.stdout + completed.stderr

    assert completed.returncode != 0, output
    assert "FAILED tests/test_postgres.py::test_horse_opens_own_connection" in output
    assert "assert horse_pid != parent_pid" in output
