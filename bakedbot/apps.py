from django.apps import AppConfig


class BakedbotConfig(AppConfig):
    name = "bakedbot"
    verbose_name = "Tenants and users"
