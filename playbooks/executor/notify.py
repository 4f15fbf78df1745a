"""``notify``: tell the organisation's people, in the header's bell and by e-mail."""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse

from bakedbot.notices import notice_post
from bakedbot.selectors import organisation_users
from media.selectors import content_awaiting_approval
from media.services import approval_notice_key
from playbooks.executor.base import Param, PlaybookExecutionContext, StepOutcome, StepRuntime

NOTIFY_PARAMS = {
    "channels": Param("list", choices=("in_app", "email"), default=["in_app", "email"]),
    "audience": Param("choice", choices=("everyone", "owners"), default="everyone"),
    "message": Param("text", max_length=1000, default=""),
}


@dataclass(frozen=True)
class Message:
    """What the step says, and what its bell notice is about (``key``) and of which ``kind``."""

    title: str
    body: str
    link: str
    key: str
    kind: str


def _message(context: PlaybookExecutionContext, runtime: StepRuntime) -> Message:
    """What this run produced. Content still waiting for approval is the same thing as the
    approval queue's own notice (its key): no second notice about it, and it leaves every bell
    once reviewed. Anything else is this step's own notice, once per run and step."""
    submitted = runtime.result_of(context, "submit_approval")
    content_id = submitted.get("content_id") if submitted else None
    if content_id and content_awaiting_approval(context.tenant_id, content_id):
        return Message(
            f"{runtime.playbook_name}: content awaiting your approval",
            f"“{submitted['title']}” for {submitted['platform']} is in the Creative Center "
            "approval queue.",
            reverse("media:creative") + "#approvals",
            approval_notice_key(content_id),
            "approval",
        )
    run_link = reverse("playbooks:run_detail", args=[context.run_id])
    key = f"playbook-notify:{context.run_id}:{runtime.step_id}"
    pricing = runtime.result_of(context, "analyze_pricing")
    if pricing and pricing.get("summary"):
        title = f"{runtime.playbook_name}: price alert"
        return Message(title, pricing["summary"], run_link, key, "run")
    return Message(
        f"{runtime.playbook_name} finished", "The playbook run finished.", run_link, key, "run"
    )


def notify(params: dict, context: PlaybookExecutionContext, runtime: StepRuntime) -> StepOutcome:
    message = _message(context, runtime)
    body = params["message"] or message.body
    users = organisation_users(context.tenant_id, owners_only=params["audience"] == "owners")
    emails = sorted({user.email for user in users if user.email})
    result = {
        "title": message.title,
        "message": body,
        "link": message.link,
        "channels": params["channels"],
    }
    if runtime.dry_run:
        return StepOutcome({**result, "would_notify": len(users), "would_email": len(emails)})
    notified = posted = 0
    if "in_app" in params["channels"]:
        # Someone who already has a notice about the same thing keeps it: a retried step, or an
        # owner the approval queue already told, gets no second one (``posted`` counts the new).
        posted = notice_post(
            organisation_id=context.tenant_id,
            key=message.key,
            kind=message.kind,
            title=message.title,
            body=body,
            link=message.link,
            audience=params["audience"],
        )
        notified = len(users)
    emailed = 0
    if "email" in params["channels"] and emails:
        emailed = send_mass_mail(
            [
                (message.title, f"{body}\n\n{message.link}", settings.DEFAULT_FROM_EMAIL, [email])
                for email in emails
            ]
        )
    return StepOutcome({**result, "notified": notified, "new_notices": posted, "emailed": emailed})
