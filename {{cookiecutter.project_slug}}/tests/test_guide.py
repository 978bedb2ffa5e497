"""Run the examples in BACKGROUND_JOBS.md, so that the guide cannot fall behind the code.

Python blocks run in order in one namespace that contains `app`, with user 1 and
payment 1 committed. A `test_*` function that a block defines is then called with the
worker app. Lines
of `sh` blocks that start `python worker.py` must parse with worker.py's own options, and
lines that start `flask --app app jobs` must run with exit status 0. Other shell lines
(installation, curl) are not run.
"""

import re
import shlex

import pytest

import worker
from tests.conftest import PROJECT_ROOT, add_payment

GUIDE = PROJECT_ROOT / "BACKGROUND_JOBS.md"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def blocks(language):
    return [code for lang, code in BLOCK.findall(GUIDE.read_text()) if lang == language]


def commands(prefix):
    found = []
    for code in blocks("sh"):
        for line in code.splitlines():
            words = shlex.split(line, comments=True)
            if words[: len(prefix)] == prefix:
                found.append(words)
    return found


def test_guide_python_examples(worker_app, redis_client):
    add_payment(worker_app)
    namespace = {"__name__": "guide_examples", "app": worker_app}
    examples = blocks("python")

    for code in examples:
        exec(compile(code, str(GUIDE), "exec"), namespace)  # noqa: S102 (our own guide)

    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    for test in tests:
        test(worker_app)

    assert len(examples) >= 5
    assert len(tests) >= 1


@pytest.mark.parametrize("argv", commands(["python", "worker.py"]), ids=shlex.join)
def test_guide_worker_command(argv):
    args = worker.parse_args(argv[2:])

    assert args.worker_class


def test_guide_jobs_commands(worker_app, redis_client):
    add_payment(worker_app)
    runner = worker_app.test_cli_runner()
    found = commands(["flask", "--app", "app", "jobs"])

    for argv in found:
        result = runner.invoke(args=argv[3:])
        assert result.exit_code == 0, f"{shlex.join(argv)}: {result.output}"

    assert len(found) >= 4
