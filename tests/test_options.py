"""Render every supported combination of options and check what it writes, without
installing anything: clean lint, parseable config, only the files its options call for."""

import tomllib

import pytest
import yaml

from tests.combinations import (
    CI_WORKFLOW_SOURCES,
    OPTIONAL_PATHS,
    SUPPORTED,
    combination_id,
)
from tests.conftest import TEMPLATE, render, ruff, validate_pre_commit

SOURCE_ROOT = TEMPLATE / "{{cookiecutter.project_slug}}"


@pytest.fixture(scope="module", params=SUPPORTED, ids=[combination_id(c) for c in SUPPORTED])
def combination(request, tmp_path_factory):
    """The options of one combination and the project rendered from them."""
    context = request.param
    project = render(tmp_path_factory.mktemp(combination_id(context)), **context)
    return context, project


def project_files(project):
    return sorted(
        path for path in project.rglob("*") if path.is_file() and "__pycache__" not in path.parts
    )


def test_options_no_cookiecutter_text(combination):
    _, project = combination
    leftovers = [
        f"{path.relative_to(project)}:{number}: {line.strip()}"
        for path in project_files(project)
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "cookiecutter" in line.lower() or "{%" in line
    ]

    assert leftovers == []


def test_options_ruff_clean(combination):
    _, project = combination

    checked = ruff("check", ".", cwd=project)
    formatted = ruff("format", "--check", ".", cwd=project)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_options_config_parses(combination):
    _, project = combination
    parsed = 0

    for path in project_files(project):
        if path.suffix == ".toml":
            tomllib.loads(path.read_text())
            parsed += 1
        elif path.suffix in {".yaml", ".yml"}:
            assert yaml.safe_load(path.read_text()), path
            parsed += 1

    assert parsed >= 2


def test_options_pre_commit_config_valid(combination):
    _, project = combination

    validated = validate_pre_commit(project)

    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_options_only_chosen_files(combination):
    context, project = combination

    for relative, needed in OPTIONAL_PATHS.items():
        assert (project / relative).exists() == needed(context), relative

    assert not (project / ".github" / "workflows" / "ci-postgresql.yml").exists()
    if context["ci"] == "none":
        assert not (project / ".github").exists()


def test_options_dependencies(combination):
    context, project = combination
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    dependencies = " ".join(pyproject["project"]["dependencies"])
    test_dependencies = " ".join(pyproject["project"]["optional-dependencies"]["test"])

    assert ("psycopg[binary]" in dependencies) == (context["database"] == "postgresql")
    assert ("flask-migrate" in dependencies) == context["use_migrations"]
    assert ("gunicorn" in dependencies) == context["use_docker"]
    assert ("dockerfile-parse" in test_dependencies) == context["use_docker"]
    expected_modules = ["worker", "cron"] if context["periodic_jobs"] else ["worker"]
    assert pyproject["tool"]["setuptools"]["py-modules"] == expected_modules


def test_options_unrendered_files_identical(combination):
    """Files with their own template syntax (Jinja, Mako, GitHub's expressions) are copied
    byte for byte."""
    context, project = combination
    pairs = [
        (SOURCE_ROOT / relative, project / relative)
        for relative in ["app/templates/emails/payment_receipt.html"]
    ]
    if context["use_migrations"]:
        migrations = SOURCE_ROOT / "migrations"
        pairs += [
            (source, project / source.relative_to(SOURCE_ROOT))
            for source in migrations.rglob("*")
            if source.is_file() and "__pycache__" not in source.parts
        ]
    if context["ci"] != "none":
        source = SOURCE_ROOT / CI_WORKFLOW_SOURCES[context["database"]]
        pairs.append((source, project / ".github" / "workflows" / "ci.yml"))

    for source, copied in pairs:
        assert copied.read_bytes() == source.read_bytes(), copied


WITH_CI = [c for c in SUPPORTED if c["ci"] != "none"]
WITH_DOCKER = [c for c in SUPPORTED if c["use_docker"]]


@pytest.mark.parametrize("context", WITH_CI, ids=[combination_id(c) for c in WITH_CI])
def test_options_workflow_expressions(context, tmp_path):
    project = render(tmp_path, **context)

    text = (project / ".github" / "workflows" / "ci.yml").read_text()
    workflow = yaml.safe_load(text)

    assert workflow["concurrency"]["group"] == "${{ github.workflow }}-${{ github.ref }}"
    assert "${{ github.event_name == 'pull_request' }}" in text
    services = set(workflow["jobs"]["test"]["services"])
    expected = {"redis", "postgres"} if context["database"] == "postgresql" else {"redis"}
    assert services == expected
    assert ("TEST_DATABASE_URL" in workflow["jobs"]["test"]["env"]) == (
        context["database"] == "postgresql"
    )


@pytest.mark.parametrize("context", WITH_DOCKER, ids=[combination_id(c) for c in WITH_DOCKER])
def test_options_compose_services(context, tmp_path):
    project = render(tmp_path, **context)

    services = yaml.safe_load((project / "compose.yaml").read_text())["services"]

    expected = {"web", "worker", "redis", "postgres"}
    if context["periodic_jobs"]:
        expected.add("cron")
    assert set(services) == expected
    assert services["worker"]["command"] == ["python", "worker.py"]
    copied = (project / "Dockerfile").read_text()
    assert ("COPY migrations ./migrations" in copied) == context["use_migrations"]
    assert ("COPY cron.py ./" in copied) == context["periodic_jobs"]
