from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "playbooks"
    verbose_name = "Playbooks"

    def ready(self) -> None:
        from bakedbot.home import register_home_panel
        from media.content_links import register_content_source_link
        from playbooks import checks  # noqa: F401 — registers the system checks
        from playbooks.home import home_panel_context
        from playbooks.selectors import run_page_for_content

        register_content_source_link("playbook", run_page_for_content)
        register_home_panel(
            "playbooks",
            order=20,
            template="playbooks/_home_panel.html",
            context=home_panel_context,
        )
