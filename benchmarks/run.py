#!/usr/bin/env python3
"""Measure the per-job cost of running RQ jobs in a Flask app context.

    python3 benchmarks/run.py                    # the full benchmark, a few minutes
    python3 benchmarks/run.py --jobs 5 --rounds 1 --long-jobs 20   # a quick check

Creates a virtual environment (default `.venv-bench` in the template checkout) with
cookiecutter, the generated project's dependencies and Flask-RQ 1.0, then runs
`benchmarks/bench.py` in it. Needs Python 3.11 or newer, `redis-server` on PATH and
access to PyPI. See docs/benchmarks.md for what it measures and a recorded run.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VENV = TEMPLATE_ROOT / ".venv-bench"
PROJECT_PYPROJECT = TEMPLATE_ROOT / "{{cookiecutter.project_slug}}" / "pyproject.toml"
DEV_REQUIREMENTS = TEMPLATE_ROOT / "requirements-dev.txt"

# Flask-RQ release compared against; installed only into the benchmark's environment.
FLASK_RQ_REQUIREMENT = "flask-rq==1.0.0"

# File in the environment that records why Flask-RQ could not be installed.
FLASK_RQ_ERROR_FILE = "flask-rq-install-error.txt"

MINIMUM_PYTHON = (3, 11)


def default_dependencies():
    """Return the dependencies of a project rendered with the default options.

    The template's pyproject.toml is a Jinja template, so it is read line by line: the
    quoted requirements of the `dependencies` list, outside `{% if %}` blocks, which
    hold the optional ones.
    """
    found = []
    in_list = False
    depth = 0

    for line in PROJECT_PYPROJECT.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("dependencies = ["):
            in_list = True
        elif in_list and stripped == "]":
            break
        elif stripped.startswith("{%") and " if " in stripped:
            depth += 1
        elif stripped.startswith("{%") and "endif" in stripped:
            depth -= 1
        elif in_list and depth == 0 and stripped.startswith('"'):
            found.append(stripped.rstrip(",").strip('"'))

    return found


def requirements():
    """Return the generated project's dependencies plus the pinned cookiecutter."""
    cookiecutter = [
        line.strip()
        for line in DEV_REQUIREMENTS.read_text().splitlines()
        if line.startswith("cookiecutter")
    ]
    # fakeredis replaces Redis where no redis-server is installed.
    return [*default_dependencies(), *cookiecutter, "fakeredis>=2.41"]


def pip(python, *args):
    command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    return subprocess.run([*command, *args], capture_output=True, text=True)


def installed_version(python, distribution):
    completed = subprocess.run(
        [str(python), "-c", f"import importlib.metadata as m; print(m.version({distribution!r}))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


def ensure_environment(env_dir):
    """Create `env_dir` and install the benchmark's packages, unless it has them already.

    Flask-RQ is installed last, with RQ pinned to the version already installed, so that
    it cannot replace the RQ the project uses. When pip rejects it, pip's output is kept in
    FLASK_RQ_ERROR_FILE and the benchmark reports it instead of measuring Flask-RQ.
    """
    wanted = hashlib.sha256("\n".join([*requirements(), FLASK_RQ_REQUIREMENT]).encode()).hexdigest()
    stamp = env_dir / "requirements.sha256"
    python = env_dir / "bin" / "python"
    if stamp.exists() and stamp.read_text() == wanted:
        return python

    if not python.exists():
        print(f"run.py: creating {env_dir}", flush=True)
        venv.create(env_dir, with_pip=True)

    print(f"run.py: installing the benchmark's packages into {env_dir}", flush=True)
    completed = pip(python, *requirements())
    if completed.returncode != 0:
        sys.exit(f"run.py: pip failed to install {requirements()}:\n{completed.stderr}")

    rq_pin = f"rq=={installed_version(python, 'rq')}"
    completed = pip(python, FLASK_RQ_REQUIREMENT, rq_pin)
    error_file = env_dir / FLASK_RQ_ERROR_FILE
    if completed.returncode == 0:
        error_file.unlink(missing_ok=True)
    else:
        error_file.write_text(f"pip install {FLASK_RQ_REQUIREMENT} {rq_pin}:\n{completed.stderr}")

    stamp.write_text(wanted)
    return python


def venv_option(argv):
    """Return the `--venv DIR` value from `argv`, or the default environment."""
    for index, arg in enumerate(argv):
        if arg == "--venv" and index + 1 < len(argv):
            return Path(argv[index + 1]).resolve()
        if arg.startswith("--venv="):
            return Path(arg.removeprefix("--venv=")).resolve()

    return DEFAULT_VENV


def main(argv):
    if sys.version_info < MINIMUM_PYTHON:
        found = ".".join(map(str, sys.version_info[:3]))
        sys.exit(f"run.py: Python {found} is too old. Run it with Python 3.11 or newer.")

    env_dir = venv_option(argv)
    python = ensure_environment(env_dir)
    command = [str(python), "-m", "benchmarks.bench", *argv]
    if "--help" not in argv and "-h" not in argv:
        command += ["--flask-rq-error-file", str(env_dir / FLASK_RQ_ERROR_FILE)]
    os.chdir(TEMPLATE_ROOT)
    os.execv(python, command)


if __name__ == "__main__":
    main(sys.argv[1:])
