"""Render the template and check the files it writes, without installing anything."""

import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import TEMPLATE, render, ruff, validate_pre_commit

CONTEXTS = {
    "defaults": {},
    "custom-name": {"project_name": "Fern Bakery-Orders", "python_version": "3.12"},
}

# Jinja templates of the generated project: cookiecutter must copy them untouched.
UNRENDERED = ["app/templates"]


@pytest.fixture(scope="module", params=list(CONTEXTS), ids=list(CONTEXTS))
def project(request, tmp_path_factory):
    return render(tmp_path_factory.mktemp(request.param), **CONTEXTS[request.param])


def text_files(root):
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            yield path, path.read_bytes().decode("utf-8")


def test_render_slug(project):
    expected = {"defaults": "acme_payments", "custom-name": "fern_bakery_orders"}

    assert project.name in expected.values()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == project.name


def test_render_python_version(tmp_path):
    project = render(tmp_path, python_version="3.13")

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == ">=3.13"
    assert pyproject["tool"]["ruff"]["target-version"] == "py313"


def test_render_no_cookiecutter_text(project):
    leftovers = [
        f"{path.relative_to(project)}:{number}: {line.strip()}"
        for path, text in text_files(project)
        for number, line in enumerate(text.splitlines(), start=1)
        if "cookiecutter" in line.lower()
    ]

    assert leftovers == []


def test_render_expected_files(project):
    for relative in [
        "app/__init__.py",
        "app/config.py",
        "app/extensions.py",
        "app/models.py",
        "app/services/queue.py",
        "app/services/background_jobs.py",
        "app/services/job_context.py",
        "worker.py",
        "BACKGROUND_JOBS.md",
        "README.md",
        ".env.example",
        ".gitignore",
        ".gitattributes",
        ".pre-commit-config.yaml",
        "tests/conftest.py",
        "tests/test_worker.py",
    ]:
        assert (project / relative).is_file(), relative

    assert not (project / ".env").exists()


def test_render_templates_byte_identical(project):
    source_root = TEMPLATE / "{{cookiecutter.project_slug}}"
    compared = 0

    for directory in UNRENDERED:
        for source in sorted((source_root / directory).rglob("*")):
            if source.is_file():
                copied = project / source.relative_to(source_root)
                assert copied.read_bytes() == source.read_bytes(), copied
                compared += 1

    assert compared >= 2


def test_render_parseable_config(project):
    tomllib.loads((project / "pyproject.toml").read_text())
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    hook_ids = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}

    assert {"ruff-check", "ruff-format", "check-yaml", "end-of-file-fixer"} <= hook_ids
    validated = validate_pre_commit(project)
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_render_ruff_clean(project):
    checked = ruff("check", ".", cwd=project)
    formatted = ruff("format", "--check", ".", cwd=project)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_render_lf_line_endings(project):
    for path, text in text_files(project):
        if path.suffix in {".py", ".sh", ".toml", ".md", ".yaml", ".yml"}:
            assert "\r" not in text, path


def test_template_has_no_stray_files():
    source_root = Path(TEMPLATE / "{{cookiecutter.project_slug}}")
    strays = [p for p in source_root.rglob("*") if p.name in {"__pycache__", ".pytest_cache"}]

    assert strays == []


@pytest.mark.parametrize(
    ("choice", "expression"),
    [("MIT", "MIT"), ("Apache-2.0", "Apache-2.0"), ("Proprietary", "LicenseRef-Proprietary")],
)
def test_render_license(tmp_path, choice, expression):
    project = render(tmp_path, license=choice)

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["license"] == expression
