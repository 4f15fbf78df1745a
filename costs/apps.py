from django.apps import AppConfig


class CostsConfig(AppConfig):
    name = "costs"
    verbose_name = "Costs and budgets"

    def ready(self) -> None:
        from bakedbot.home import register_home_panel
        from costs.home import home_panel_context

        register_home_panel(
            "costs", order=10, template="costs/_home_panel.html", context=home_panel_context
        )
