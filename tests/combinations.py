"""The table of option combinations that the template supports, and the files each needs."""

import itertools

# Every value of each option that the combination table varies; the other options keep
# their defaults, which test_render.py covers.
OPTION_VALUES = {
    "database": ["sqlite", "postgresql"],
    "use_migrations": [False, True],
    "use_docker": [False, True],
    "ci": ["github-actions", "none"],
    "periodic_jobs": [False, True],
}

# Files and directories of the generated project that only some options call for.
OPTIONAL_PATHS = {
    "tests/test_postgres.py": lambda c: c["database"] == "postgresql",
    "migrations/env.py": lambda c: c["use_migrations"],
    "migrations/versions": lambda c: c["use_migrations"],
    "tests/test_migrations.py": lambda c: c["use_migrations"],
    "Dockerfile": lambda c: c["use_docker"],
    "compose.yaml": lambda c: c["use_docker"],
    ".dockerignore": lambda c: c["use_docker"],
    "tests/test_docker.py": lambda c: c["use_docker"],
    ".github/workflows/ci.yml": lambda c: c["ci"] == "github-actions",
    "cron.py": lambda c: c["periodic_jobs"],
    "app/services/cron_scheduler.py": lambda c: c["periodic_jobs"],
    "app/services/periodic_jobs.py": lambda c: c["periodic_jobs"],
    "tests/test_cron.py": lambda c: c["periodic_jobs"],
}

# The source that a workflow is copied from, byte for byte, by database.
CI_WORKFLOW_SOURCES = {
    "sqlite": ".github/workflows/ci.yml",
    "postgresql": ".github/workflows/ci-postgresql.yml",
}


def is_supported(context):
    """Docker needs PostgreSQL: `hooks/pre_gen_project.py` rejects Docker with SQLite."""
    return not (context["use_docker"] and context["database"] == "sqlite")


def combination_id(context):
    """A readable test id, such as 'postgresql-migrations-docker-ci-cron'."""
    parts = [context["database"]]
    parts += ["migrations"] if context["use_migrations"] else []
    parts += ["docker"] if context["use_docker"] else []
    parts += ["ci"] if context["ci"] != "none" else []
    parts += ["cron"] if context["periodic_jobs"] else []
    return "-".join(parts)


def all_combinations():
    names = list(OPTION_VALUES)
    for values in itertools.product(*OPTION_VALUES.values()):
        yield dict(zip(names, values, strict=True))


SUPPORTED = [context for context in all_combinations() if is_supported(context)]
UNSUPPORTED = [context for context in all_combinations() if not is_supported(context)]

# Every option turned on, as the generated suites' shared virtual environment needs.
EVERYTHING = {
    "database": "postgresql",
    "use_migrations": True,
    "use_docker": True,
    "ci": "github-actions",
    "periodic_jobs": True,
}
