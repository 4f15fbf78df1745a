from django.apps import AppConfig


class AbtestsConfig(AppConfig):
    name = "abtests"
    verbose_name = "A/B tests"

    def ready(self) -> None:
        from abtests.recommendations import recommendation_panel
        from presets.recommendations import register_style_recommendations

        # The preset pickers of lower apps (presets, media, playbooks) show this advice.
        register_style_recommendations(recommendation_panel)
