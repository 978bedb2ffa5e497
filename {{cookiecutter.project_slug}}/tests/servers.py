"""Real servers for the test run: Redis and a capturing SMTP server, on 127.0.0.1.

Redis is found in this order, and the run prints which one it used:
1. the server at `REDIS_URL` (default redis://localhost:6379/0), if it answers;
2. a `redis-server` from PATH, started on a free loopback port for this run;
3. fakeredis's TCP server, in this process, on a free loopback port.
Tests use database `TEST_REDIS_DB` (default 15) of that server and empty it before and
after each test, so the data in database 0 of a developer's server is left alone.
"""

import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field

from redis import Redis
from redis.exceptions import RedisError

# Seconds to wait for a started server to answer.
STARTUP_TIMEOUT = 10.0


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RedisServer:
    """A Redis server for the tests: where it is, what it is, and how to stop it."""

    kind: str
    host: str
    port: int
    db: int
    stop: object = field(default=lambda: None, repr=False)

    @property
    def url(self):
        return f"redis://{self.host}:{self.port}/{self.db}"


def start_redis():
    """Return a RedisServer, starting one when none answers at `REDIS_URL`."""
    db = int(os.environ.get("TEST_REDIS_DB", "15"))
    configured = Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
    kwargs = configured.get_connection_kwargs()

    if _answers(configured):
        return RedisServer("server at REDIS_URL", kwargs["host"], kwargs["port"], db)

    executable = shutil.which("redis-server")
    if executable:
        return _start_redis_server(executable, db)

    return _start_fakeredis(db)


def _answers(client):
    try:
        return client.ping()
    except (RedisError, OSError):
        return False
    finally:
        client.close()


def _wait_until_answers(port, process=None):
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"redis-server exited with code {process.returncode} at startup")
        if _answers(Redis(host="127.0.0.1", port=port)):
            return
        time.sleep(0.05)

    raise RuntimeError(f"Redis on 127.0.0.1:{port} did not answer within {STARTUP_TIMEOUT} s")


def _start_redis_server(executable, db):
    port = free_port()
    process = subprocess.Popen(
        [
            executable,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def stop():
        process.terminate()
        process.wait(timeout=STARTUP_TIMEOUT)

    try:
        _wait_until_answers(port, process)
    except RuntimeError:
        stop()
        raise

    return RedisServer(f"redis-server from PATH (pid {process.pid})", "127.0.0.1", port, db, stop)


def _start_fakeredis(db):
    from fakeredis import TcpFakeServer

    port = free_port()
    server = TcpFakeServer(("127.0.0.1", port))
    thread = threading.Thread(target=server.serve_forever, name="fakeredis", daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()

    _wait_until_answers(port)
    return RedisServer("fakeredis TCP server (no Redis server found)", "127.0.0.1", port, db, stop)


class SmtpCapture:
    """An SMTP server on 127.0.0.1 that keeps what it receives in `messages`."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        self.messages.append(envelope)
        return "250 OK"

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc_info):
        self._controller.stop()
