"""Real servers for the test run: Redis and a capturing SMTP server, on 127.0.0.1.

Redis is found in this order, and the run prints which one it used:
1. the server at `REDIS_URL` (default redis://localhost:6379/0), if it responds;
2. a `redis-server` from PATH, started on a free loopback port for this run;
3. fakeredis's TCP server, in this process, on a free loopback port.
Tests use database `TEST_REDIS_DB` (default 15) of that server and empty it before and
after each test, so the data in database 0 of a developer's server is left alone.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field

from redis import Redis
from redis.exceptions import RedisError

# Seconds to wait for a started server to respond.
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
    # fakeredis does not notice a client that died in a blocking pop, as a killed worker
    # does, and hands that client the next job pushed to its queue. Tests then get a
    # fresh fakeredis server each.
    fresh_per_test: bool = False

    @property
    def url(self):
        return f"redis://{self.host}:{self.port}/{self.db}"


def start_redis():
    """Return a RedisServer, starting one when none responds at `REDIS_URL`."""
    db = int(os.environ.get("TEST_REDIS_DB", "15"))
    configured = Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
    kwargs = configured.get_connection_kwargs()

    if _responds(configured):
        return RedisServer("server at REDIS_URL", kwargs["host"], kwargs["port"], db)

    executable = shutil.which("redis-server")
    if executable:
        return _start_redis_server(executable, db)

    return _start_fakeredis(db)


def _responds(client):
    try:
        return client.ping()
    except (RedisError, OSError):
        return False
    finally:
        client.close()


def _wait_until_responds(port, process=None):
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"redis-server exited with code {process.returncode} at startup")
        if _responds(Redis(host="127.0.0.1", port=port)):
            return
        time.sleep(0.05)

    raise RuntimeError(f"Redis on 127.0.0.1:{port} did not respond within {STARTUP_TIMEOUT} s")


def _start_redis_server(executable, db, port=None):
    port = port or free_port()
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
        _wait_until_responds(port, process)
    except RuntimeError:
        stop()
        raise

    return RedisServer(f"redis-server from PATH (pid {process.pid})", "127.0.0.1", port, db, stop)


def _start_fakeredis(db, port=None):
    from fakeredis import TcpFakeServer

    class StoppableFakeServer(TcpFakeServer):
        """fakeredis's TCP server, with a stop that drops its clients as a real server's
        exit does. A client blocked in BLPOP would otherwise hold its handler thread, and
        `server_close` would wait for it."""

        def get_request(self):
            request, address = super().get_request()
            self.client_sockets.append(request)
            return request, address

        def drop_clients(self):
            for client in self.client_sockets:
                with contextlib.suppress(OSError):
                    client.shutdown(socket.SHUT_RDWR)

    port = port or free_port()
    server = StoppableFakeServer(("127.0.0.1", port))
    server.client_sockets = []
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, name="fakeredis", daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.drop_clients()
        server.server_close()

    _wait_until_responds(port)
    kind = "fakeredis TCP server (no Redis server found)"
    return RedisServer(kind, "127.0.0.1", port, db, stop, fresh_per_test=True)


def start_fakeredis(db):
    """Start a fakeredis TCP server on a free loopback port; return its RedisServer."""
    return _start_fakeredis(db)


class PrivateRedis:
    """A Redis server of this test's own on a free loopback port, which can be stopped and
    started again on the same port: `redis-server` from PATH, else fakeredis's TCP server.
    Data does not survive a stop."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._executable = shutil.which("redis-server")
        self._stop = None

    def start(self):
        if self._executable:
            server = _start_redis_server(self._executable, 0, self.port)
        else:
            server = _start_fakeredis(0, self.port)
        self._stop = server.stop
        return self

    def stop(self):
        if self._stop is not None:
            self._stop()
            self._stop = None


class SmtpCapture:
    """An SMTP server on 127.0.0.1 that keeps what it receives in `messages`.

    The first `reject` messages get "451 try again later", a temporary failure.
    """

    def __init__(self, reject=0):
        from aiosmtpd.controller import Controller

        self.messages = []
        self.rejected = 0
        self._reject = reject
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        if self.rejected < self._reject:
            self.rejected += 1
            return "451 4.3.0 Try again later"

        self.messages.append(envelope)
        return "250 OK"

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc_info):
        self._controller.stop()


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts connections and never sends a byte, like a
    hung SMTP server. The kernel completes the handshake, but nothing ever responds."""

    def __enter__(self):
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self.port = self._socket.getsockname()[1]
        return self

    def __exit__(self, *exc_info):
        self._socket.close()
