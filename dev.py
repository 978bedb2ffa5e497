#!/usr/bin/env python3
"""Generate a project from this template, or run the template's tests, with only Python.

    python3 dev.py generate [COOKIECUTTER OPTIONS]   # a new project in the current directory
    python3 dev.py test [PYTEST OPTIONS]             # the template's full test suite

Both create `.venv` next to this file on first use and install `requirements-dev.txt`
into it (again whenever that file changes). Needs Python 3.11 or newer and access to PyPI.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

TEMPLATE_ROOT = Path(__file__).resolve().parent
VENV = TEMPLATE_ROOT / ".venv"
REQUIREMENTS = TEMPLATE_ROOT / "requirements-dev.txt"
STAMP = VENV / "requirements.sha256"
MINIMUM_PYTHON = (3, 11)


def venv_bin(name):
    return VENV / ("Scripts" if os.name == "nt" else "bin") / name


def ensure_tools():
    """Create `.venv` and install the pinned tools, unless it has them already."""
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return

    if not venv_bin("python").exists():
        print(f"dev.py: creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)

    print(f"dev.py: installing {REQUIREMENTS.name} into {VENV}", flush=True)
    pip = [
        str(venv_bin("python")),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
    STAMP.write_text(wanted)


def generate(args):
    command = [str(venv_bin("cookiecutter")), str(TEMPLATE_ROOT), *args]
    return subprocess.run(command).returncode


def test(args):
    command = [str(venv_bin("python")), "-m", "pytest", *args]
    return subprocess.run(command, cwd=TEMPLATE_ROOT).returncode


COMMANDS = {"generate": generate, "test": test}


def main(argv):
    if sys.version_info < MINIMUM_PYTHON:
        found = ".".join(map(str, sys.version_info[:3]))
        sys.exit(f"dev.py: Python {found} is too old. Run it with Python 3.11 or newer.")

    if not argv or argv[0] not in COMMANDS:
        sys.exit(f"usage: python3 dev.py {{{','.join(COMMANDS)}}} [OPTIONS]\n\n{__doc__}")

    ensure_tools()
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
