from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Load the demo organisations, logins and data (safe to run again). Each app contributes "
        "through a `demo.load_demo_data(write)` function, run in INSTALLED_APPS order."
    )

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            if find_spec(f"{config.name}.demo") is None:
                continue
            module = import_module(f"{config.name}.demo")
            loader = getattr(module, "load_demo_data", None)
            if loader is not None:
                loader(self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Open http://127.0.0.1:8000/"))
