from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    verbose_name = "Media generation"

    def ready(self) -> None:
        from media import checks  # noqa: F401 — registers the system checks
