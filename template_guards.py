"""A Jinja extension that cookiecutter loads from `cookiecutter.json`'s `_extensions`.

Cookiecutter 2.7.1 creates the project directory, with any missing parents, before it runs
`hooks/pre_gen_project.py`, and on a hook failure removes only the project directory itself.
A slug with a path separator would leave its parent directories behind, and `..` or an
absolute path would create them outside the output directory. The `project_dir_name` filter
runs while the answers are read, before anything is written, and rejects such a slug.
`hooks/pre_gen_project.py` checks every other rule.
"""

from pathlib import PurePosixPath, PureWindowsPath

from cookiecutter.exceptions import FailedHookException
from jinja2.ext import Extension


def project_dir_name(slug):
    """Return `slug` if it is one relative path component; raise FailedHookException if not.

    FailedHookException is the exception that cookiecutter's command line prints as a plain
    message and exits 1 on, the same as for a failed `pre_gen_project` hook.
    """
    one_component = PureWindowsPath(slug).parts == PurePosixPath(slug).parts == (slug,)
    if one_component and slug.strip() and slug != "..":
        return slug

    raise FailedHookException(
        f"project_slug {slug!r} is not a directory name: it is empty or contains a path "
        "separator or '..'. Enter a lowercase Python identifier such as 'acme_payments'; "
        "choose where the project goes with --output-dir instead."
    )


class ProjectDirGuard(Extension):
    """Add the `project_dir_name` filter to cookiecutter's Jinja environment."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["project_dir_name"] = project_dir_name
