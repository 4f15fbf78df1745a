"""The project's URLs plus ``/boom``, a page that fails: the 500 page's tests."""

from django.urls import path

from bakedbot.urls import handler500  # noqa: F401 (handler500)
from bakedbot.urls import urlpatterns as project_urls


def current_view(request):
    raise RuntimeError("the page failed")


def boom(request):
    return current_view(request)


urlpatterns = [path("boom", boom), *project_urls]
