"""``notify``: tell the organisation's people, in the app and by e-mail."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse

from bakedbot.selectors import organisation_users
from playbooks.executor.base import Param, PlaybookExecutionContext, StepOutcome, StepRuntime
from playbooks.models import Notification

NOTIFY_PARAMS = {
    "channels": Param("list", choices=("in_app", "email"), default=["in_app", "email"]),
    "audience": Param("choice", choices=("everyone", "owners"), default="everyone"),
    "message": Param("text", max_length=1000, default=""),
}


def _message(context: PlaybookExecutionContext, runtime: StepRuntime) -> tuple[str, str, str]:
    """Title, body and link for what this run produced."""
    run_link = reverse("playbooks:run_detail", args=[context.run_id])
    submitted = runtime.result_of(context, "submit_approval")
    if submitted and submitted.get("content_id"):
        return (
            f"{runtime.playbook_name}: content awaiting your approval",
            f"“{submitted['title']}” for {submitted['platform']} is in the Creative Center "
            "approval queue.",
            reverse("media:creative"),
        )
    pricing = runtime.result_of(context, "analyze_pricing")
    if pricing and pricing.get("summary"):
        return (f"{runtime.playbook_name}: price alert", pricing["summary"], run_link)
    return (f"{runtime.playbook_name} finished", "The playbook run finished.", run_link)


def notify(params: dict, context: PlaybookExecutionContext, runtime: StepRuntime) -> StepOutcome:
    title, body, link = _message(context, runtime)
    if params["message"]:
        body = params["message"]
    users = organisation_users(context.tenant_id, owners_only=params["audience"] == "owners")
    emails = sorted({user.email for user in users if user.email})
    result = {"title": title, "message": body, "link": link, "channels": params["channels"]}
    if runtime.dry_run:
        return StepOutcome({**result, "would_notify": len(users), "would_email": len(emails)})
    notified = 0
    if "in_app" in params["channels"]:
        Notification.objects.bulk_create(
            Notification(
                organisation_id=context.tenant_id,
                user=user,
                run_id=context.run_id,
                title=title,
                body=body,
                link=link,
            )
            for user in users
        )
        notified = len(users)
    emailed = 0
    if "email" in params["channels"] and emails:
        emailed = send_mass_mail(
            [(title, f"{body}\n\n{link}", settings.DEFAULT_FROM_EMAIL, [email]) for email in emails]
        )
    return StepOutcome({**result, "notified": notified, "emailed": emailed})
