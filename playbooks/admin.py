from django.contrib import admin

from playbooks.models import (
    Deal,
    Playbook,
    PlaybookRun,
    PlaybookStepResult,
    PlaybookTemplate,
    Product,
)


@admin.register(PlaybookTemplate)
class PlaybookTemplateAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "agent", "schedule", "requires_approval", "updated_at"]
    list_filter = ["agent", "requires_approval"]


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "enabled", "schedule", "next_run_at"]
    list_filter = ["enabled", "template"]
    search_fields = ["name", "organisation__name"]
    readonly_fields = ["next_run_at"]


class StepResultInline(admin.TabularInline):
    model = PlaybookStepResult
    extra = 0
    can_delete = False
    readonly_fields = ["position", "step_id", "step_type", "status", "cost_micros", "error"]
    fields = readonly_fields


@admin.register(PlaybookRun)
class PlaybookRunAdmin(admin.ModelAdmin):
    list_display = ["id", "playbook", "triggered_by", "status", "dry_run", "total_cost_micros"]
    list_filter = ["status", "triggered_by", "dry_run"]
    search_fields = ["id", "run_key", "playbook__name"]
    inlines = [StepResultInline]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "sku", "organisation", "category", "price_micros", "in_stock"]
    list_filter = ["organisation", "in_stock"]
    search_fields = ["name", "sku"]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "starts_on", "ends_on", "active"]
    list_filter = ["organisation", "active"]
