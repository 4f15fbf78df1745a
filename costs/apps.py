from django.apps import AppConfig


class CostsConfig(AppConfig):
    name = "costs"
    verbose_name = "Costs and budgets"

    def ready(self) -> None:
        from bakedbot.home import register_home_panel
        from costs import pricing
        from costs.home import home_panel_context
        from costs.price_versions import load_stored_versions

        # The versions super admins added, read by the price book (which sits below the models).
        pricing.stored_versions_loader = load_stored_versions

        register_home_panel(
            "costs", order=10, template="costs/_home_panel.html", context=home_panel_context
        )
