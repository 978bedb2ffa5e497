"""Start `python worker.py` as a real process for tests, and wait for jobs with a bound."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from rq.job import Job
from rq.serializers import JSONSerializer

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WORKER_CLASSES = ["rq.Worker", "rq.worker.SimpleWorker"]

# Seconds a worker process or a job may take before a test gives up on it.
WAIT_TIMEOUT = 60


def worker_env(app, smtp_port=None, **extra):
    """Environment for a worker process that uses `app`'s database and Redis."""
    env = {
        **os.environ,
        "APP_ENV": "development",
        "SECRET_KEY": "worker-test-secret",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port or 25),
        "MAIL_USE_TLS": "false",
        "MAIL_USE_SSL": "false",
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
    }
    env.update({key: str(value) for key, value in extra.items()})
    return env


def run_burst_worker(env, cwd, *args):
    """Run `python worker.py --burst ARGS` from `cwd`; return its output. Fails on a non-zero
    exit status."""
    completed = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "worker.py"), "--burst", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT_TIMEOUT,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    return output


class WorkerProcess:
    """`python worker.py ARGS` running until the test stops it; output goes to `log_path`.

    The worker starts a session of its own, so that `kill_group` and `stop` reach the
    scheduler process it forks too. Work horses put themselves in groups of their own.
    """

    def __init__(self, env, log_path, *args):
        self.log_path = log_path
        self._log = open(log_path, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, str(PROJECT_ROOT / "worker.py"), *args],
            cwd=log_path.parent,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def output(self):
        return self.log_path.read_text()

    def signal(self, signum):
        self.process.send_signal(signum)

    def kill_group(self):
        """SIGKILL the worker and its scheduler at once, as when a machine dies."""
        os.killpg(self.process.pid, signal.SIGKILL)

    def wait(self, timeout=WAIT_TIMEOUT):
        """Wait for the worker to exit; return its exit status."""
        return self.process.wait(timeout=timeout)

    def stop(self):
        """Stop the worker if it still runs: SIGTERM, then SIGKILL after the bound."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=WAIT_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=WAIT_TIMEOUT)

        # Whatever the worker left behind in its session, such as its scheduler process.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def fetch(job_id, connection):
    return Job.fetch(job_id, connection=connection, serializer=JSONSerializer)


def wait_until(condition, what, timeout=WAIT_TIMEOUT, interval=0.05):
    """Poll `condition()` until it returns a true value, and return that value.
    Raises AssertionError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)

    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
