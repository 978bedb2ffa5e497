"""Check the answers before cookiecutter writes any file of the project.

Cookiecutter renders this script with Jinja, then runs it in the new, still empty project
directory. On a non-zero exit it stops and removes that directory. Every problem found is
printed to stderr, each with the value and what to enter instead.
"""

import json
import keyword
import re
import sys
import unicodedata

# Cookiecutter renders the next line into a JSON string literal that contains every answer, so
# quotes or backslashes in an answer cannot break this script.
ANSWERS = json.loads({{cookiecutter | jsonify | tojson}})  # noqa: F821

# Modules the generated project imports, or that its tools install. A project directory or
# distribution of the same name would shadow them or clash with them in pip.
PROJECT_MODULES = {
    "alembic",
    "app",
    "click",
    "croniter",
    "cron",
    "dotenv",
    "fakeredis",
    "flask",
    "flask_mail",
    "flask_migrate",
    "flask_sqlalchemy",
    "gunicorn",
    "jinja2",
    "migrations",
    "psycopg",
    "pytest",
    "redis",
    "rq",
    "sqlalchemy",
    "tests",
    "werkzeug",
    "worker",
}

# Characters: the slug is the default PostgreSQL database name, limited to 63 bytes.
MAX_SLUG_LENGTH = 63

SLUG_PATTERN = re.compile(r"[a-z_][a-z0-9_]*")
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def suggest_slug(slug):
    """Return a lowercase ASCII identifier close to `slug`, for the error message."""
    ascii_slug = unicodedata.normalize("NFKD", slug).encode("ascii", "ignore").decode()
    suggestion = re.sub(r"[^a-z0-9]+", "_", ascii_slug.lower()).strip("_") or "my_project"
    if suggestion[0].isdigit():
        suggestion = f"project_{suggestion}"
    return suggestion


def slug_errors(slug):
    if not SLUG_PATTERN.fullmatch(slug):
        return [
            f"project_slug {slug!r} is not a lowercase Python identifier (ASCII letters, "
            f"digits and underscores, not starting with a digit). Enter one such as "
            f"{suggest_slug(slug)!r}."
        ]

    if len(slug) > MAX_SLUG_LENGTH:
        return [
            f"project_slug {slug!r} is {len(slug)} characters long; PostgreSQL database names "
            f"take at most {MAX_SLUG_LENGTH}. Enter a shorter one, such as {slug[:20]!r}."
        ]

    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        return [f"project_slug {slug!r} is a Python keyword. Enter another, such as '{slug}_app'."]

    if slug in PROJECT_MODULES or slug in sys.stdlib_module_names:
        return [
            f"project_slug {slug!r} is the name of a module that the project imports, and would "
            f"shadow it or clash with it in pip. Enter another, such as '{slug}_app'."
        ]

    return []


def email_errors(email):
    if EMAIL_PATTERN.fullmatch(email):
        return []

    return [f"email {email!r} is not a valid email address. Enter one such as 'you@example.com'."]


def combination_errors(answers):
    if answers["use_docker"] and answers["database"] == "sqlite":
        return [
            "use_docker=yes with database='sqlite' is not supported: the web, worker and cron "
            "containers of compose.yaml each need the same database, and a SQLite file is not "
            "shared safely between containers. Choose database=postgresql, or use_docker=no."
        ]

    return []


def main():
    errors = [
        *slug_errors(ANSWERS["project_slug"]),
        *email_errors(ANSWERS["email"]),
        *combination_errors(ANSWERS),
    ]
    if not ANSWERS["project_name"].strip():
        name = ANSWERS["project_name"]
        errors.append(f"project_name {name!r} is empty. Enter a name such as 'Acme Payments'.")

    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)

    if errors:
        print("Nothing was generated. Run cookiecutter again with valid answers.", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
