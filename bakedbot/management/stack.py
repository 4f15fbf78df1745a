"""The production-shaped stack on one machine: PostgreSQL, Redis and the Firestore emulator as
child processes on loopback ports, then gunicorn and ``qcluster`` processes on the production
settings. ``manage.py run_stack`` (``make run-stack``) runs it; the stack test tier
(``tests/stack/``) and the PostgreSQL benchmarks start the same servers on free ports.

Nothing here imports Django: the benchmarks use it before settings are loaded. Every server is a
child process started here and stopped here (``Server.stop``); a server that cannot start raises
``StackError`` with a message naming it (a package missing, a port taken, its own log's tail).
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from bakedbot.validation import is_ascii_digits

BASE_DIR = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
# PostgreSQL refuses to run as root: as root, the cluster belongs to Debian's `postgres` user.
POSTGRES_OS_USER = "postgres"
DATABASE_NAME = "bakedbot"
DATABASE_USER = "bakedbot"


class StackError(RuntimeError):
    """A server of the stack could not start; the message names it and why."""


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_free_port(port: int, what: str) -> None:
    with socket.socket() as probe:
        # As the servers themselves bind: connections of a stopped server still in TIME_WAIT do
        # not make the port taken, a listener does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise StackError(
                f"Port {port} for {what} is taken on 127.0.0.1: stop what uses it or pick "
                "another port (see README, make run-stack)."
            ) from None


def wait_for_port(port: int, what: str, process: subprocess.Popen, log: Path | None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(f"{what} exited with status {process.returncode}{_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise StackError(
        f"{what} did not listen on 127.0.0.1:{port} in {START_TIMEOUT:.0f} s{_tail(log)}"
    )


def _tail(log: Path | None, lines: int = 15) -> str:
    if log is None or not log.exists():
        return ""
    text = log.read_text(errors="replace").strip().splitlines()[-lines:]
    return (":\n  " + "\n  ".join(text)) if text else ""


def postgres_bin_dir() -> Path:
    """Debian keeps the server binaries in /usr/lib/postgresql/<version>/bin (not on PATH)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda p: int(Path(p).parts[-3]) if is_ascii_digits(Path(p).parts[-3]) else 0,
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres")
    if on_path:
        return Path(on_path).resolve().parent
    raise StackError(
        "PostgreSQL is not installed: install Debian's postgresql package "
        "(apt-get install postgresql; `make run-stack` / `make test` do it when run as root)."
    )


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if not found:
        raise StackError(
            "Redis is not installed: install Debian's redis-server package "
            "(apt-get install redis-server; `make run-stack` / `make test` do it when run as root)."
        )
    return found


@dataclass
class Server:
    """A child process of the stack; ``stop`` ends it (and its process group)."""

    name: str
    process: subprocess.Popen
    port: int | None = None
    log: Path | None = None
    stop_signal: int = signal.SIGTERM

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, self.stop_signal)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream:
                stream.close()

    def kill(self) -> None:
        """Dead at once, children and all: no clean-up code runs."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def _spawn(
    name: str,
    command: list[str],
    *,
    log: Path,
    env: dict[str, str] | None = None,
    cwd: Path = BASE_DIR,
    user: str | None = None,
    stdin=subprocess.DEVNULL,
    port: int | None = None,
    stop_signal: int = signal.SIGTERM,
) -> Server:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=stdin,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Its own process group: a Ctrl-C in the terminal reaches the stack once, from us.
            start_new_session=True,
            user=user,
        )
    return Server(name=name, process=process, port=port, log=log, stop_signal=stop_signal)


# -- PostgreSQL --------------------------------------------------------------------------------


def _os_user() -> str | None:
    """The OS user the cluster runs as: ourselves, or Debian's ``postgres`` user as root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(POSTGRES_OS_USER)
    except KeyError:
        raise StackError(
            f"Running as root, PostgreSQL needs the OS user {POSTGRES_OS_USER!r} (Debian's "
            "postgresql package creates it): install postgresql."
        ) from None
    return POSTGRES_OS_USER


def _reachable_by(user: str, path: Path) -> bool:
    """Whether ``user`` may enter every directory above ``path`` (mode bits; no ACLs here)."""
    account = pwd.getpwnam(user)
    groups = {account.pw_gid} | {g.gr_gid for g in _groups_of(user)}
    for directory in [*reversed(path.parents)]:
        info = directory.stat()
        if info.st_uid == account.pw_uid:
            ok = info.st_mode & stat.S_IXUSR
        elif info.st_gid in groups:
            ok = info.st_mode & stat.S_IXGRP
        else:
            ok = info.st_mode & stat.S_IXOTH
        if not ok:
            return False
    return True


def _groups_of(user: str):
    import grp

    return [g for g in grp.getgrall() if user in g.gr_mem]


def postgres_data_dir(preferred: Path) -> Path:
    """``preferred`` (under var/) unless, as root, the ``postgres`` user cannot reach it (a clone
    under /root): then a directory of its own under /var/tmp."""
    user = _os_user()
    preferred.parent.mkdir(parents=True, exist_ok=True)
    if user is None or _reachable_by(user, preferred):
        return preferred
    fallback = Path("/var/tmp") / f"bakedbot-stack-{abs(hash(str(preferred))) % 10**8}" / "pg"
    fallback.parent.mkdir(parents=True, exist_ok=True)
    fallback.parent.chmod(0o755)
    return fallback


@dataclass
class Postgres:
    """A PostgreSQL cluster in ``data_dir`` on 127.0.0.1:``port`` (trust auth on loopback only,
    no Unix socket). ``fast=True`` turns durability off (fsync, synchronous commit): for test
    clusters that are thrown away; the run target and the benchmarks keep the defaults."""

    data_dir: Path
    port: int
    log: Path
    fast: bool = False
    max_connections: int = 200
    server: Server | None = None
    os_user: str | None = field(default_factory=_os_user)

    @property
    def url(self) -> str:
        return self.url_for(DATABASE_NAME)

    def url_for(self, database: str) -> str:
        return f"postgres://{DATABASE_USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> Postgres:
        bin_dir = postgres_bin_dir()
        require_free_port(self.port, "PostgreSQL")
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb(bin_dir)
        options = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": "",
            "max_connections": str(self.max_connections),
            "shared_buffers": "128MB",
        }
        if self.fast:
            options |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        command = [str(bin_dir / "postgres"), "-D", str(self.data_dir)]
        for name, value in options.items():
            command += ["-c", f"{name}={value}"]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        # SIGINT is PostgreSQL's "fast" shutdown: sessions are ended, the cluster stays clean.
        self.server = _spawn(
            "PostgreSQL",
            command,
            log=self.log,
            user=self.os_user,
            port=self.port,
            stop_signal=signal.SIGINT,
        )
        self._wait_until_ready()
        self.create_database(DATABASE_NAME)
        return self

    def _initdb(self, bin_dir: Path) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        if self.os_user:
            account = pwd.getpwnam(self.os_user)
            os.chown(self.data_dir, account.pw_uid, account.pw_gid)
        result = subprocess.run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                DATABASE_USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ],
            user=self.os_user,
            cwd="/",
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise StackError(f"PostgreSQL initdb failed in {self.data_dir}:\n{result.stderr}")

    def connect(self, database: str = "postgres", *, autocommit: bool = True):
        import psycopg

        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=DATABASE_USER,
            dbname=database,
            autocommit=autocommit,
            connect_timeout=5,
        )

    def _wait_until_ready(self) -> None:
        assert self.server is not None
        wait_for_port(self.port, "PostgreSQL", self.server.process, self.log)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                self.connect().close()
                return
            except Exception as exc:
                if self.server.process.poll() is not None or time.monotonic() > deadline:
                    raise StackError(f"PostgreSQL does not answer: {exc}{_tail(self.log)}") from exc
                time.sleep(0.2)

    def create_database(self, name: str) -> None:
        with self.connect() as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')

    def stop(self) -> None:
        if self.server:
            self.server.stop(timeout=60)


# -- Redis ---------------------------------------------------------------------------------------


@dataclass
class Redis:
    """A Redis server on 127.0.0.1:``port`` keeping its data in ``data_dir``. It is the job
    broker: every write is appended to its log and fsynced before it answers
    (``appendfsync always``), so a restart loses no queued job."""

    data_dir: Path
    port: int
    log: Path
    server: Server | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        binary = redis_server_binary()
        require_free_port(self.port, "Redis")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.server = _spawn(
            "Redis",
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.data_dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--daemonize",
                "no",
                "--protected-mode",
                "yes",
                "--logfile",
                "",
            ],
            log=self.log,
            port=self.port,
        )
        wait_for_port(self.port, "Redis", self.server.process, self.log)
        return self

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    def restart(self) -> None:
        """Shut down (SIGTERM: Redis flushes its log and exits) and start again on the same port
        and data."""
        self.stop()
        self.start()


# -- The Firestore emulator ------------------------------------------------------------------------

EMULATOR_LAUNCHER = BASE_DIR / "tests" / "firestore_emulator.js"


@dataclass
class FirestoreEmulator:
    """``node tests/firestore_emulator.js`` on 127.0.0.1:``port``; in memory only."""

    port: int
    log: Path
    server: Server | None = None

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> FirestoreEmulator:
        node = shutil.which("node")
        if node is None:
            raise StackError("Node.js is not installed: the Firestore emulator needs it (nodejs).")
        if not (BASE_DIR / "tests" / "node_modules" / "@firestore-emulator" / "server").is_dir():
            raise StackError("The Firestore emulator is not installed: run `cd tests && npm ci`.")
        require_free_port(self.port, "the Firestore emulator")
        self.server = _spawn(
            "the Firestore emulator",
            [node, str(EMULATOR_LAUNCHER), str(self.port)],
            log=self.log,
            cwd=BASE_DIR / "tests",
            port=self.port,
        )
        wait_for_port(self.port, "the Firestore emulator", self.server.process, self.log)
        return self

    def pause(self) -> None:
        """Freeze it (SIGSTOP): it keeps its data and its port, and answers nothing."""
        assert self.server
        os.killpg(self.server.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.server
        os.killpg(self.server.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.server:
            self.server.stop()


# -- The three together ----------------------------------------------------------------------------


@dataclass
class Backends:
    """PostgreSQL, Redis and the Firestore emulator of one stack, with their data and logs under
    ``root``: what gunicorn and the job workers run on."""

    root: Path
    postgres: Postgres
    redis: Redis
    emulator: FirestoreEmulator

    def environment(self, **extra: str) -> dict[str, str]:
        """``production_environment`` on these servers, with the stack's own secret key."""
        return production_environment(
            database_url=self.postgres.url,
            redis_url=self.redis.url,
            firestore_host=self.emulator.host,
            secret_key=stored_secret(self.root / "secret_key"),
            var_dir=self.root,
            **extra,
        )


def start_backends(
    root: Path,
    started: list,
    *,
    postgres_port: int,
    redis_port: int,
    firestore_port: int,
    fast_postgres: bool = False,
) -> Backends:
    """Start PostgreSQL, Redis and the Firestore emulator, each put in ``started`` before it
    starts: the caller stops whichever did start (``stopping``), however this ends."""
    logs = root / "logs"
    backends = Backends(
        root,
        Postgres(
            data_dir=postgres_data_dir(root / "postgres"),
            port=postgres_port,
            log=logs / "postgres.log",
            fast=fast_postgres,
        ),
        Redis(root / "redis", redis_port, logs / "redis.log"),
        FirestoreEmulator(firestore_port, logs / "firestore.log"),
    )
    for server in (backends.postgres, backends.redis, backends.emulator):
        started.append(server)
        server.start()
    return backends


# -- The application on the production settings ----------------------------------------------------


def production_environment(
    *,
    database_url: str,
    redis_url: str,
    firestore_host: str,
    secret_key: str,
    var_dir: Path,
    **extra: str,
) -> dict[str, str]:
    """The environment of every web and worker process: the production settings (``DEBUG=0``,
    a real secret, PostgreSQL, Redis, Firestore) with plain-HTTP on localhost allowed."""
    environment = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        # Served over plain HTTP on loopback: no redirect to HTTPS, no HSTS pinned on localhost.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "COSTS_STORE": "firestore",
        "FIRESTORE_PROJECT": "bakedbot-local",
        "FIRESTORE_EMULATOR_HOST": firestore_host,
        "VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "STATIC_ROOT": str(var_dir / "staticfiles"),
        "PYTHONUNBUFFERED": "1",
    }
    environment.pop("PYTEST_XDIST_WORKER", None)
    environment.update(extra)
    return environment


def stored_secret(path: Path) -> str:
    """A secret key generated once into ``path`` (sessions survive a restart of the stack)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def manage(environment: dict[str, str], *arguments: str, log: Path | None = None) -> None:
    """Run ``manage.py <arguments>`` in ``environment``; raise ``StackError`` if it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )
    if log is not None:
        with open(log, "a") as out:
            out.write(result.stdout + result.stderr)
    if result.returncode:
        raise StackError(
            f"manage.py {' '.join(arguments)} failed:\n{(result.stdout + result.stderr)[-3000:]}"
        )


def collect_static(environment: dict[str, str], *, log: Path | None = None) -> None:
    """``collectstatic`` into the environment's ``STATIC_ROOT``, skipped when nothing it collects
    changed since the last run (compressing plotly.js and the rest takes a minute or more)."""
    static_root = Path(environment["STATIC_ROOT"])
    fingerprint = _static_fingerprint()
    stamp = static_root / ".collected"
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    manage(environment, "collectstatic", "--noinput", log=log)
    stamp.write_text(fingerprint)


def _static_fingerprint() -> str:
    """Names, sizes and times of our static files, and the time the packages were installed
    (the vendored htmx, plotly.js and the admin's files come from them)."""
    import hashlib

    digest = hashlib.sha256()
    sources = [BASE_DIR / "static", *BASE_DIR.glob("*/static"), BASE_DIR / ".venv" / ".installed"]
    for source in sorted(sources):
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for path in files:
            if path.is_file():
                info = path.stat()
                digest.update(f"{path}:{info.st_size}:{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def start_gunicorn(
    environment: dict[str, str], *, port: int, workers: int, log: Path, access_log: bool = False
) -> Server:
    require_free_port(port, "gunicorn")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "bakedbot.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
        "--error-logfile",
        "-",
    ]
    if access_log:
        command += ["--access-logfile", "-"]
    # SIGINT: gunicorn's quick shutdown (requests in flight are cut; we only stop it at the end).
    server = _spawn(
        "gunicorn", command, log=log, env=environment, port=port, stop_signal=signal.SIGINT
    )
    wait_for_port(port, "gunicorn", server.process, log)
    return server


def start_qcluster(environment: dict[str, str], *, log: Path, name: str = "qcluster") -> Server:
    return _spawn(name, [sys.executable, "manage.py", "qcluster"], log=log, env=environment)


@dataclass
class StopRequest:
    received: bool = False


@contextmanager
def stop_on_signal() -> Iterator[StopRequest]:
    """Inside the block, SIGINT and SIGTERM (a Ctrl-C) only set ``received``: the command's
    loop sees it and stops its servers itself. The handlers before the block come back after."""
    request = StopRequest()

    def receive(signum, frame) -> None:
        request.received = True

    previous = {
        number: signal.signal(number, receive) for number in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield request
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def stopping(servers: list) -> Iterator[list]:
    """Stop every server appended to ``servers``, last started first, however the block ends."""
    try:
        yield servers
    finally:
        for server in reversed(servers):
            try:
                server.stop()
            except Exception as exc:  # keep stopping the others
                print(f"could not stop {getattr(server, 'name', server)}: {exc}", file=sys.stderr)
