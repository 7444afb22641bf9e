from django.contrib import admin

from monitoring.models import MeetingNote, Snapshot, Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["kecamatan", "valid_from", "value", "set_by", "set_at"]
    raw_id_fields = ["kecamatan", "set_by"]


@admin.register(MeetingNote)
class MeetingNoteAdmin(admin.ModelAdmin):
    list_display = ["month", "kecamatan", "agent", "village", "problem", "written_by"]
    list_filter = ["month"]
    raw_id_fields = ["kecamatan", "agent", "village", "written_by"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Read only: a frozen month is what every meeting discussed."""

    list_display = ["month", "level", "key", "frozen_at"]
    list_filter = ["month", "level"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
