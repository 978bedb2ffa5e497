"""Dockerfile and compose.yaml, checked without a Docker engine: what each file names exists,
and every service runs the project's own entry points."""

import json
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser

PROJECT_ROOT = Path(__file__).resolve().parent.parent

WEB_COMMAND = ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "app:create_app()"]


@pytest.fixture(scope="module")
def dockerfile():
    return DockerfileParser(path=str(PROJECT_ROOT / "Dockerfile"))


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())


def instructions(dockerfile, name):
    return [item["value"] for item in dockerfile.structure if item["instruction"] == name]


def test_dockerfile_copies_existing_files(dockerfile):
    copied = []
    for value in instructions(dockerfile, "COPY"):
        *sources, _destination = value.split()
        copied.extend(sources)

    assert copied
    for source in copied:
        assert (PROJECT_ROOT / source).exists(), f"COPY {source}: no such file"
    assert {"pyproject.toml", "app", "worker.py"} <= set(copied)


def test_dockerfile_base_image_python(dockerfile):
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text()
    minimum = pyproject.split('requires-python = ">=', 1)[1].split('"', 1)[0]

    assert dockerfile.baseimage == f"python:{minimum}-slim"


def test_dockerfile_runs_unprivileged(dockerfile):
    assert instructions(dockerfile, "USER") == ["app"]


def test_dockerfile_cmd_is_web(dockerfile):
    [cmd] = instructions(dockerfile, "CMD")

    assert json.loads(cmd) == WEB_COMMAND


def test_dockerignore_keeps_secrets_out():
    ignored = (PROJECT_ROOT / ".dockerignore").read_text().split()

    assert {".env", ".git", "instance"} <= set(ignored)


def test_compose_services(compose):
    services = compose["services"]

    assert {"web", "worker", "redis", "postgres"} <= set(services)
    assert services["web"]["command"] == WEB_COMMAND
    assert services["worker"]["command"] == ["python", "worker.py"]
    for name in ["web", "worker"]:
        assert services[name]["build"] == "."
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert services[name]["environment"]["DATABASE_URL"].endswith("@postgres:5432/app")
        assert set(services[name]["depends_on"]) == {"redis", "postgres"}


def test_compose_cron_service(compose):
    services = compose["services"]
    has_cron_script = (PROJECT_ROOT / "cron.py").is_file()

    assert ("cron" in services) == has_cron_script
    if has_cron_script:
        assert services["cron"]["command"] == ["python", "cron.py"]


def test_compose_commands_exist(compose):
    for name, service in compose["services"].items():
        command = service.get("command", [])
        if command[:1] == ["python"]:
            assert (PROJECT_ROOT / command[1]).is_file(), f"service {name}: {command}"


def test_compose_holds_no_secrets(compose):
    for name, service in compose["services"].items():
        for key, value in service.get("environment", {}).items():
            if "PASSWORD" in key or key == "SECRET_KEY":
                assert str(value).startswith("${"), f"service {name}: {key} is set in the file"
