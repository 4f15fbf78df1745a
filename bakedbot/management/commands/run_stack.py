"""``make run-stack``: the production topology on this machine, from Debian's packages and the
Firestore emulator — PostgreSQL, Redis, the emulator, gunicorn (4 workers) and 2 ``qcluster``
processes on the production settings. Ctrl-C stops everything it started."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bakedbot.management.stack import (
    StackError,
    collect_static,
    manage,
    require_free_port,
    start_backends,
    start_gunicorn,
    start_qcluster,
    stop_on_signal,
    stopping,
)


class Command(BaseCommand):
    help = (
        "Run PostgreSQL, Redis, the Firestore emulator, gunicorn and two job workers on the "
        "production settings, with state under var/stack/; Ctrl-C stops them all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--web-port", type=int, default=8000)
        parser.add_argument("--postgres-port", type=int, default=55432)
        parser.add_argument("--redis-port", type=int, default=56379)
        parser.add_argument("--firestore-port", type=int, default=8686)
        parser.add_argument("--web-workers", type=int, default=4)
        parser.add_argument("--job-workers", type=int, default=2)

    def handle(self, *args, **options):
        root = Path(settings.VAR_DIR) / "stack"
        logs = root / "logs"
        ports = {
            "the web server (gunicorn)": options["web_port"],
            "PostgreSQL": options["postgres_port"],
            "Redis": options["redis_port"],
            "the Firestore emulator": options["firestore_port"],
        }
        try:
            # Every port first: a taken one stops the target before anything starts.
            for what, port in ports.items():
                require_free_port(port, what)
            with stop_on_signal() as stop, stopping([]) as started:
                backends = start_backends(
                    root,
                    started,
                    postgres_port=options["postgres_port"],
                    redis_port=options["redis_port"],
                    firestore_port=options["firestore_port"],
                )
                environment = backends.environment()
                self.stdout.write("Migrating, collecting static files, loading the demo data…")
                manage(environment, "migrate", "--noinput", log=logs / "setup.log")
                collect_static(environment, log=logs / "setup.log")
                manage(environment, "demo_setup", log=logs / "setup.log")
                for index in range(options["job_workers"]):
                    started.append(
                        start_qcluster(
                            environment, log=logs / f"qcluster-{index + 1}.log", name="qcluster"
                        )
                    )
                web = start_gunicorn(
                    environment,
                    port=options["web_port"],
                    workers=options["web_workers"],
                    log=logs / "gunicorn.log",
                    access_log=True,
                )
                started.append(web)
                self.stdout.write(
                    f"Web app on http://localhost:{options['web_port']}/ (gunicorn, "
                    f"{options['web_workers']} workers; {options['job_workers']} job workers); "
                    f"PostgreSQL {backends.postgres.url}, Redis {backends.redis.url}, Firestore "
                    f"emulator {backends.emulator.host}. Logs in {logs}. Ctrl-C stops everything."
                )
                while not stop.received:
                    dead = [
                        s for s in started if getattr(s, "server", s).process.poll() is not None
                    ]
                    if dead:
                        names = ", ".join(getattr(s, "server", s).name for s in dead)
                        raise StackError(f"{names} exited (see {logs}); stopping the stack.")
                    time.sleep(0.5)
                self.stdout.write("Stopping the stack…")
        except StackError as exc:
            raise CommandError(str(exc)) from None
