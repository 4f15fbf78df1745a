import subprocess
import sys
import time

from django.core.management.base import BaseCommand

from bakedbot.management.stack import stop_on_signal


class Command(BaseCommand):
    help = "Run the web server and a django-q2 job worker together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        manage = [sys.executable, sys.argv[0]]
        with stop_on_signal() as stop:
            # Each child gets its own session so a Ctrl-C reaches it once, from us, not twice.
            worker = subprocess.Popen([*manage, "qcluster"], start_new_session=True)
            web = subprocess.Popen([*manage, "runserver", addrport], start_new_session=True)
            while not stop.received and worker.poll() is None and web.poll() is None:
                time.sleep(0.2)
            self.stdout.write("Stopping the web server and the job worker…")
            web.terminate()
            worker.terminate()
            for process in (web, worker):
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        if not stop.received:
            raise SystemExit("The web server or the job worker exited; both are stopped.")
