"""The presets pages: gallery, create/edit dialog with live preview, delete, publish, the
"published by others" browser with copy, and the compose fragment other apps call.

Who may do what (``request.tenant`` is the acting organisation):
- members and owners browse, create, edit and copy presets, and use the preview and compose
  fragments;
- only owners (and super admins acting for the tenant) delete and publish or withdraw presets.
Another tenant's preset id answers 404; built-ins are refused with a message.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from bakedbot.tenancy import (
    can_manage_tenant,
    is_super_admin,
    tenant_member_required,
    tenant_owner_required,
)
from presets.domain import (
    ASPECT_RATIOS,
    CATEGORIES,
    FONT_SIZES,
    FONT_WEIGHTS,
    PresetNotFound,
    compose_prompt,
)
from presets.selectors import (
    get_preset_tags,
    get_published_preset,
    get_published_presets,
    get_style_preset,
    get_style_presets,
    preset_input_from_data,
    preview_style_preset,
)
from presets.services import (
    BUILTIN_IMMUTABLE,
    copy_style_preset,
    create_style_preset,
    delete_style_preset,
    set_style_preset_public,
    update_style_preset,
)
from presets.validation import DEFAULTS

TEXT_FIELDS = (
    "name",
    "description",
    "style_prompt",
    "negative_prompt",
    "primary_color",
    "secondary_color",
    "accent_color",
    "font_family",
    "font_size",
    "font_weight",
    "tags",
)
COLOUR_FIELDS = (
    ("primary_color", "Primary"),
    ("secondary_color", "Secondary"),
    ("accent_color", "Accent"),
)
FONT_SUGGESTIONS = (
    "Inter",
    "Helvetica",
    "Montserrat",
    "Nunito",
    "Lora",
    "Georgia",
    "Playfair Display",
    "Bebas Neue",
    "Courier New",
)


def _gallery_url(request: HttpRequest) -> str:
    url = reverse("presets:gallery")
    if is_super_admin(request.user) and request.GET.get("tenant"):
        url += f"?tenant={request.tenant.pk}"
    return url


def _finish(request: HttpRequest, level: int, message: str) -> HttpResponse:
    """Back to the gallery with a message: a full page for a form, a client redirect for HTMX."""
    messages.add_message(request, level, message)
    if request.htmx:
        return HttpResponseClientRedirect(_gallery_url(request))
    return redirect(_gallery_url(request))


def _toast(level: str, message: str) -> str:
    return render_to_string("presets/_toast.html", {"level": level, "message": message})


def _form_input(params) -> dict:
    """The dialog's fields as service input (only those sent, so a preview may be partial)."""
    data = {field: params[field] for field in TEXT_FIELDS if field in params}
    data["aspect_ratios"] = params.getlist("aspect_ratios")
    return data


def _form_values(data: dict) -> dict:
    """What the dialog's fields show: tags as one comma-separated text."""
    values = dict(data)
    if not isinstance(values.get("tags", ""), str):
        values["tags"] = ", ".join(values["tags"])
    return values


def _dialog(request, *, preset=None, values: dict, errors=None, status: int = 200):
    context = {
        "tenant": request.tenant,
        "preset": preset,
        "values": _form_values(values),
        "errors": errors or {},
        "draft": preview_style_preset(values, base=preset),
        "aspect_ratios": ASPECT_RATIOS,
        "colour_fields": COLOUR_FIELDS,
        "font_sizes": FONT_SIZES,
        "font_weights": FONT_WEIGHTS,
        "font_suggestions": FONT_SUGGESTIONS,
        "as_modal": bool(request.htmx),
    }
    template = "presets/form.html#dialog" if request.htmx else "presets/form.html"
    return render(request, template, context, status=status)


@require_GET
@tenant_member_required
def gallery(request):
    category = request.GET.get("category", "")
    filters = {
        "q": request.GET.get("q", "").strip(),
        "tag": request.GET.get("tag", "").strip().lower(),
        "category": category if category in CATEGORIES else "",
    }
    presets = get_style_presets(
        request.tenant.pk,
        category=filters["category"],
        tag=filters["tag"],
        search=filters["q"],
    )
    context = {
        "tenant": request.tenant,
        "presets": presets,
        "filters": filters,
        "tags": get_preset_tags(request.tenant.pk),
        "can_manage": can_manage_tenant(request),
        "tab": "library",
    }
    if request.htmx and request.htmx.target == "preset-results":
        return render(request, "presets/gallery.html#results", context)
    return render(request, "presets/gallery.html", context)


@require_http_methods(["GET", "POST"])
@tenant_member_required
def create(request):
    if request.method == "POST":
        data = _form_input(request.POST)
        success, _preset_id, errors = create_style_preset(request.tenant.pk, data)
        if success:
            return _finish(request, messages.SUCCESS, f"Preset “{data['name'].strip()}” created.")
        return _dialog(request, values=data, errors=errors, status=422)
    return _dialog(request, values=dict(DEFAULTS, name="", style_prompt="", aspect_ratios=["1:1"]))


@require_http_methods(["GET", "POST"])
@tenant_member_required
def edit(request, preset_id: str):
    preset = get_style_preset(request.tenant.pk, preset_id)
    if preset.is_builtin:
        return _finish(request, messages.ERROR, BUILTIN_IMMUTABLE)
    if request.method == "POST":
        data = _form_input(request.POST)
        success, errors = update_style_preset(request.tenant.pk, preset_id, data)
        if success:
            return _finish(request, messages.SUCCESS, f"Preset “{data['name'].strip()}” saved.")
        return _dialog(request, preset=preset, values=data, errors=errors, status=422)
    return _dialog(request, preset=preset, values=preset_input_from_data(preset))


@require_POST
@tenant_owner_required
def delete(request, preset_id: str):
    preset = get_style_preset(request.tenant.pk, preset_id)
    success, errors = delete_style_preset(request.tenant.pk, preset_id)
    if not success:
        return _finish(request, messages.ERROR, errors["preset"])
    if request.htmx:
        return HttpResponse(_toast("success", f"Preset “{preset.name}” deleted."))
    return _finish(request, messages.SUCCESS, f"Preset “{preset.name}” deleted.")


@require_POST
@tenant_owner_required
def publish(request, preset_id: str):
    preset = get_style_preset(request.tenant.pk, preset_id)
    public = request.POST.get("public")
    if public not in ("1", "0"):
        return HttpResponseBadRequest("public: send 1 to publish or 0 to withdraw.")
    success, errors = set_style_preset_public(request.tenant.pk, preset_id, public=public == "1")
    if not success:
        return _finish(request, messages.ERROR, errors["preset"])
    message = (
        f"“{preset.name}” is published: other organisations can copy it."
        if public == "1"
        else f"“{preset.name}” is no longer published."
    )
    if request.htmx:
        context = {
            "preset": get_style_preset(request.tenant.pk, preset_id),
            "can_manage": True,
            "tenant": request.tenant,
        }
        card = render_to_string("presets/_card.html", context, request=request)
        return HttpResponse(card + _toast("success", message))
    return _finish(request, messages.SUCCESS, message)


@require_POST
@tenant_member_required
def copy(request, preset_id: str):
    try:
        source = get_style_preset(request.tenant.pk, preset_id)
    except PresetNotFound:
        source = get_published_preset(request.tenant.pk, preset_id)
    success, _copy_id, errors = copy_style_preset(request.tenant.pk, preset_id)
    if not success:
        return _finish(request, messages.ERROR, next(iter(errors.values())))
    return _finish(request, messages.SUCCESS, f"Copied “{source.name}” into your library.")


@require_GET
@tenant_member_required
def published(request):
    query = request.GET.get("q", "").strip()
    context = {
        "tenant": request.tenant,
        "entries": get_published_presets(request.tenant.pk, search=query),
        "filters": {"q": query},
        "tab": "published",
    }
    if request.htmx and request.htmx.target == "published-results":
        return render(request, "presets/published.html#results", context)
    return render(request, "presets/published.html", context)


@require_GET
@tenant_member_required
def preview(request):
    draft = preview_style_preset(_form_input(request.GET))
    return render(request, "presets/_preview.html", {"preset": draft, "large": True})


@require_GET
@tenant_member_required
def compose(request):
    base_prompt = request.GET.get("base_prompt", "")
    preset_id = request.GET.get("preset_id", "").strip()
    aspect_ratio = request.GET.get("aspect_ratio", "").strip() or None
    if aspect_ratio is not None and aspect_ratio not in ASPECT_RATIOS:
        return HttpResponseBadRequest(f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}.")
    preset = get_style_preset(request.tenant.pk, preset_id) if preset_id else None
    context = {
        "tenant": request.tenant,
        "preset": preset,
        "base_prompt": base_prompt,
        "composed": compose_prompt(base_prompt, preset, aspect_ratio=aspect_ratio),
    }
    if request.htmx:
        return render(request, "presets/compose.html#composed", context)
    return render(request, "presets/compose.html", context)
