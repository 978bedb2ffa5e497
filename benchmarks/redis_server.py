"""A private `redis-server` on a free loopback port, so the benchmark never touches the
data of another Redis on this machine. Without `redis-server` on PATH it starts fakeredis's
TCP server in a process of its own instead, which keeps the benchmark runnable but makes
its figures meaningless as a comparison with a real Redis."""

import shutil
import socket
import subprocess
import sys
import time

from redis import Redis
from redis.exceptions import RedisError

# Seconds to wait for the started server to respond to PING.
STARTUP_TIMEOUT = 10.0


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Program that serves fakeredis on 127.0.0.1 at the port given as its argument.
FAKEREDIS_SERVER = """
import sys
from fakeredis import TcpFakeServer

TcpFakeServer(("127.0.0.1", int(sys.argv[1]))).serve_forever()
"""


class RedisServer:
    """A `redis-server` process without persistence, started by `start()` and stopped by
    `stop()` (or by leaving the `with` block)."""

    def __init__(self, executable="redis-server"):
        self.executable = shutil.which(executable)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

        if self.executable:
            self.kind = f"redis-server ({self.executable})"
        else:
            self.kind = (
                f"fakeredis TCP server, because {executable!r} is not on PATH: the figures "
                "do not show real Redis performance. Install Redis for a real run"
            )

    def start(self):
        if self.executable:
            command = [
                self.executable,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ]
        else:
            command = [sys.executable, "-c", FAKEREDIS_SERVER, str(self.port)]

        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self._wait_until_answers()
        return self

    def version(self):
        if not self.executable:
            return "none (fakeredis)"

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
                    f"{self.executable or 'fakeredis'} exited with code "
                    f"{self.process.returncode} at startup on port {self.port}."
                )
            try:
                if client.ping():
                    return
            except (RedisError, OSError):
                time.sleep(0.05)

        self.stop()
        raise RuntimeError(f"redis-server on port {self.port} did not respond within 10 s.")
