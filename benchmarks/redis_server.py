"""A private `redis-server` on a free loopback port, so the benchmark never touches the
data of another Redis on this machine."""

import shutil
import socket
import subprocess
import time

from redis import Redis
from redis.exceptions import RedisError

# Seconds to wait for the started server to answer PING.
STARTUP_TIMEOUT = 10.0


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A `redis-server` process without persistence, started by `start()` and stopped by
    `stop()` (or by leaving the `with` block)."""

    def __init__(self, executable="redis-server"):
        found = shutil.which(executable)
        if found is None:
            raise RuntimeError(
                f"{executable!r} was not found on PATH. Install Redis (for example "
                "`apt-get install redis-server`) or pass --redis-server PATH."
            )

        self.executable = found
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                self.executable,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_until_answers()
        return self

    def version(self):
        return Redis.from_url(self.url).info("server")["redis_version"]

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return

        self.process.terminate()
        self.process.wait(timeout=STARTUP_TIMEOUT)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _wait_until_answers(self):
        deadline = time.monotonic() + STARTUP_TIMEOUT
        client = Redis.from_url(self.url)

        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.executable} exited with code {self.process.returncode} at startup "
                    f"on port {self.port}."
                )
            try:
                if client.ping():
                    return
            except (RedisError, OSError):
                time.sleep(0.05)

        self.stop()
        raise RuntimeError(f"redis-server on port {self.port} did not answer within 10 s.")
