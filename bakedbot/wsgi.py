import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bakedbot.settings")
application = get_wsgi_application()
# What is loaded by now (Django, the settings, every app's modules) lives as long as the worker:
# out of the collector's generations, a full collection walks only what requests allocate
# instead of pausing every thread of the worker for tens of milliseconds.
gc.freeze()
