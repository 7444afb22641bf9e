from django.contrib import admin

from bpjs_gateway.models import OutboxMessage, RequestLog


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["idempotency_key", "operation", "state", "attempts", "last_status", "last_error_code", "created_at"]
    list_filter = ["operation", "state", "last_error_code"]
    exclude = ["body"]  # personal data; the farmer's page shows what matters

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RequestLog)
class RequestLogAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "operation",
        "method",
        "path",
        "http_status",
        "outcome",
        "error_code",
        "duration_ms",
        "replay",
        "released",
    ]
    list_filter = ["operation", "outcome", "error_code"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
