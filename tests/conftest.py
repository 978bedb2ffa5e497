import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from tests.combinations import EVERYTHING

TEMPLATE = Path(__file__).resolve().parent.parent

# Seconds a generated project's whole test suite may take before the run is stopped.
SUITE_TIMEOUT = 900


def render(output_dir, **context):
    """Render the template with `context` over the defaults; return the project directory."""
    return Path(
        cookiecutter(
            str(TEMPLATE), no_input=True, extra_context=context, output_dir=str(output_dir)
        )
    )


def redis_db_for_this_worker():
    """A Redis database number of its own for each xdist worker, so that suites running in
    parallel against one server do not empty each other's database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return str(15 - int(worker.removeprefix("gw")) % 15)


def run_suite(python, project, env=None, args=()):
    """Run the generated project's pytest suite with `python`; return the CompletedProcess."""
    run_env = {**os.environ, "TEST_REDIS_DB": redis_db_for_this_worker(), **(env or {})}
    return subprocess.run(
        [str(python), "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=project,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=SUITE_TIMEOUT,
    )


def pip_install(python, *args):
    completed = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.fixture(scope="session")
def default_project(tmp_path_factory):
    return render(tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="session")
def project_python(tmp_path_factory):
    """Python of a fresh virtual environment with the dependencies of a project rendered
    with every option on, a superset of those of every other combination.

    The project itself is installed from its rendered directory, checked, and uninstalled
    again, so that each suite imports `app` from the project directory it runs in.
    """
    full_project = render(tmp_path_factory.mktemp("everything"), **EVERYTHING)
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"

    pip_install(python, f"{full_project}[test]")
    installed = subprocess.run(
        [str(python), "-c", "import app, pathlib; print(pathlib.Path(app.__file__).parent)"],
        cwd=env_dir,
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr
    package_dir = Path(installed.stdout.strip())
    assert (package_dir / "templates" / "emails" / "payment_receipt.txt").is_file()
    assert "site-packages" in package_dir.parts

    subprocess.run(
        [str(python), "-m", "pip", "uninstall", "--yes", "--quiet", full_project.name],
        check=True,
    )
    return python


def ruff(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache"], cwd=cwd, capture_output=True, text=True
    )


def validate_pre_commit(cwd):
    """Run `pre-commit validate-config` on the project's config; return the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
