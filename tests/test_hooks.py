"""The hooks, run through cookiecutter's command line as a user runs it: every bad answer
is rejected with a message that names it, and nothing is left on disk."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEMPLATE

REJECTED_SLUGS = [
    ("uppercase", "Acme_Payments", "is not a lowercase Python identifier", "'acme_payments'"),
    ("hyphen", "acme-payments", "is not a lowercase Python identifier", "'acme_payments'"),
    ("leading-digit", "1payments", "is not a lowercase Python identifier", "'project_1payments'"),
    ("non-ascii", "café_orders", "is not a lowercase Python identifier", "'cafe_orders'"),
    ("space", "acme payments", "is not a lowercase Python identifier", "'acme_payments'"),
    ("keyword", "class", "is a Python keyword", "'class_app'"),
    ("too-long", "a" * 64, "is 64 characters long", "shorter one"),
]

SHADOWING_SLUGS = [
    "flask",
    "rq",
    "redis",
    "app",
    "tests",
    "worker",
    "sqlalchemy",
    "email",
    "json",
    "logging",
    "queue",
]

PATH_SLUGS = [
    ("nested", "acme/payments"),
    ("parent", "../outside"),
    ("absolute", "/tmp/acme_payments"),
    ("backslash", "acme\\payments"),
]


def run_cookiecutter(output_dir, *answers, env=None):
    """Run `cookiecutter --no-input` on the template; return the CompletedProcess."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            str(TEMPLATE),
            "--output-dir",
            str(output_dir),
            *answers,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def assert_rejected(completed, output_dir, *expected):
    output = completed.stdout + completed.stderr

    assert completed.returncode != 0, output
    for text in expected:
        assert text in output, output
    assert list(output_dir.iterdir()) == [], "cookiecutter left files behind"


@pytest.mark.parametrize(
    ("slug", "expected", "suggestion"),
    [case[1:] for case in REJECTED_SLUGS],
    ids=[case[0] for case in REJECTED_SLUGS],
)
def test_pre_gen_rejects_slug(tmp_path, slug, expected, suggestion):
    completed = run_cookiecutter(tmp_path, f"project_slug={slug}")

    assert_rejected(completed, tmp_path, f"project_slug {slug!r} {expected}", suggestion)


@pytest.mark.parametrize("slug", SHADOWING_SLUGS)
def test_pre_gen_rejects_shadowing_slug(tmp_path, slug):
    completed = run_cookiecutter(tmp_path, f"project_slug={slug}")

    assert_rejected(
        completed,
        tmp_path,
        f"project_slug {slug!r} is the name of a module that the project imports",
        f"'{slug}_app'",
    )


@pytest.mark.parametrize(
    "slug", [case[1] for case in PATH_SLUGS], ids=[case[0] for case in PATH_SLUGS]
)
def test_guard_rejects_path_slug(tmp_path, slug):
    """Cookiecutter 2.7.1 creates the project directory and its parents before the
    pre_gen hook runs, so a slug with a path in it is rejected earlier, while the answers
    are read."""
    output_dir = tmp_path / "out"
    output_dir.mkdir()

    completed = run_cookiecutter(output_dir, f"project_slug={slug}")

    assert_rejected(completed, output_dir, f"project_slug {slug!r} is not a directory name")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]
    assert not Path(slug).is_absolute() or not Path(slug).exists()


@pytest.mark.parametrize(
    "email", ["not-an-email", "you@localhost", "you@@example.com", "ada lovelace@example.com"]
)
def test_pre_gen_rejects_email(tmp_path, email):
    completed = run_cookiecutter(tmp_path, f"email={email}")

    assert_rejected(
        completed, tmp_path, f"email {email!r} is not a valid email address", "you@example.com"
    )


def test_pre_gen_rejects_docker_with_sqlite(tmp_path):
    completed = run_cookiecutter(tmp_path, "use_docker=yes", "database=sqlite")

    assert_rejected(
        completed,
        tmp_path,
        "use_docker=yes with database='sqlite' is not supported",
        "Choose database=postgresql, or use_docker=no",
    )


def test_pre_gen_rejects_empty_name(tmp_path):
    completed = run_cookiecutter(tmp_path, "project_name= ", "project_slug=acme_payments")

    assert_rejected(completed, tmp_path, "project_name ' ' is empty")


def test_pre_gen_reports_every_error(tmp_path):
    completed = run_cookiecutter(tmp_path, "project_slug=json", "email=nobody")

    assert_rejected(
        completed,
        tmp_path,
        "project_slug 'json' is the name of a module",
        "email 'nobody' is not a valid email address",
        "Nothing was generated.",
    )


def test_cookiecutter_rejects_unknown_choice(tmp_path):
    completed = run_cookiecutter(tmp_path, "database=mysql")

    assert_rejected(completed, tmp_path, "mysql provided for choice variable database")


def test_pre_gen_accepts_quotes_in_answers(tmp_path):
    """Answers reach the hooks as JSON, so quotes and backslashes break nothing."""
    completed = run_cookiecutter(
        tmp_path,
        'project_name=Ada\'s "Payments" \\ Co',
        "project_slug=adas_payments",
        'description=Say "hi" \\o/',
        'author_name=Ada "Countess" O\'Brien',
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (tmp_path / "adas_payments" / "pyproject.toml").is_file()


def test_post_gen_prints_next_steps(tmp_path):
    completed = run_cookiecutter(tmp_path, "use_migrations=yes", "periodic_jobs=yes")

    assert completed.returncode == 0, completed.stderr
    assert "Next steps:" in completed.stdout
    assert "cd acme_payments" in completed.stdout
    assert "flask --app app db upgrade" in completed.stdout
    assert "python cron.py" in completed.stdout


def test_post_gen_needs_no_git(tmp_path):
    """Only Python on PATH: rendering still works, so the hooks call no git or other tool."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    output_dir = tmp_path / "out"
    env = {**os.environ, "PATH": str(bin_dir)}

    completed = run_cookiecutter(output_dir, "database=postgresql", "use_docker=yes", env=env)

    assert shutil.which("git", path=str(bin_dir)) is None
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (output_dir / "acme_payments" / "compose.yaml").is_file()


def test_post_gen_lf_line_endings(tmp_path):
    """A checkout with CRLF line endings, as git on Windows may make, still renders Python
    files with LF, including those copied without rendering."""
    template = tmp_path / "template"
    shutil.copytree(
        TEMPLATE, template, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__")
    )
    source_root = template / "{{cookiecutter.project_slug}}"
    crlf_files = [source_root / "worker.py", source_root / "migrations" / "env.py"]
    for path in crlf_files:
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))

    completed = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(template)]
        + ["--output-dir", str(tmp_path / "out"), "use_migrations=yes"],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stderr
    project = tmp_path / "out" / "acme_payments"
    for relative in ["worker.py", "migrations/env.py"]:
        data = (project / relative).read_bytes()
        assert b"\r" not in data, relative
        assert data.count(b"\n") > 10, relative
