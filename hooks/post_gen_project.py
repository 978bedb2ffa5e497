"""Finish the generated project: remove the files of options that were not chosen, keep
LF line endings in Python and shell files, and print the next steps.

Cookiecutter renders this script with Jinja, then runs it in the project directory. It uses
only the Python standard library: no network, no git.
"""

import json
import shutil
import sys
from pathlib import Path

# Cookiecutter renders the next line into a JSON string literal that contains every answer.
ANSWERS = json.loads({{cookiecutter | jsonify | tojson}})  # noqa: F821

PROJECT = Path.cwd()

# Files and directories that only some options need, by the option that needs them.
OPTIONAL_PATHS = {
    "postgresql": ["tests/test_postgres.py"],
    "migrations": ["migrations", "tests/test_migrations.py"],
    "docker": ["Dockerfile", "compose.yaml", ".dockerignore", "tests/test_docker.py"],
    "ci": [".github"],
    "periodic_jobs": [
        "cron.py",
        "app/services/cron_scheduler.py",
        "app/services/periodic_jobs.py",
        "tests/test_cron.py",
    ],
}

LF_SUFFIXES = {".py", ".sh"}


def chosen_options(answers):
    """Return the names in OPTIONAL_PATHS of the options that `answers` turn on."""
    return {
        "postgresql": answers["database"] == "postgresql",
        "migrations": answers["use_migrations"],
        "docker": answers["use_docker"],
        "ci": answers["ci"] != "none",
        "periodic_jobs": answers["periodic_jobs"],
    }


def remove(relative):
    path = PROJECT / relative
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def remove_unchosen(answers):
    for option, chosen in chosen_options(answers).items():
        if not chosen:
            for relative in OPTIONAL_PATHS[option]:
                remove(relative)


def pick_ci_workflow(answers):
    """Keep the workflow for the chosen database as `.github/workflows/ci.yml`.

    The two variants are copied without rendering, since Jinja would read the expressions
    of GitHub Actions, which use the same double braces, as its own.
    """
    workflows = PROJECT / ".github" / "workflows"
    if not workflows.is_dir():
        return

    postgresql = workflows / "ci-postgresql.yml"
    if answers["database"] == "postgresql":
        postgresql.replace(workflows / "ci.yml")
    else:
        postgresql.unlink()


def use_lf_line_endings():
    """Rewrite CRLF and CR line endings as LF in Python and shell files."""
    for path in PROJECT.rglob("*"):
        if path.suffix in LF_SUFFIXES and path.is_file():
            data = path.read_bytes()
            fixed = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            if fixed != data:
                path.write_bytes(fixed)


def next_steps(answers):
    """Return the commands that get the new project running, as text."""
    options = chosen_options(answers)
    create_tables = (
        "flask --app app db upgrade   # apply the migrations"
        if options["migrations"]
        else "flask --app app init-db      # create the tables"
    )
    lines = [
        f"Created {answers['project_name']} in {PROJECT}",
        "",
        "Next steps:",
        f"  cd {PROJECT.name}",
        "  python -m venv .venv && . .venv/bin/activate",
        "  pip install -e '.[test]'",
        "  cp .env.example .env         # then edit it",
        f"  {create_tables}",
        "  pytest",
        "  flask --app app run          # the web app",
        "  python worker.py             # the worker, in a second terminal",
    ]
    if options["periodic_jobs"]:
        lines.append("  python cron.py               # enqueues the periodic jobs")
    if options["docker"]:
        lines.append("  docker compose up --build    # or run it all in containers")
    if options["postgresql"]:
        lines.append("Set DATABASE_URL in .env to your PostgreSQL database first.")

    lines.append("README.md explains each step.")
    return "\n".join(lines)


def main():
    remove_unchosen(ANSWERS)
    pick_ci_workflow(ANSWERS)
    use_lf_line_endings()
    print(next_steps(ANSWERS))


if __name__ == "__main__":
    sys.exit(main())
