from django.contrib import admin

from enrollment.models import Agent, Bpp, Farmer, FarmerCount, Heir, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Bpp)
class BppAdmin(admin.ModelAdmin):
    list_display = ["name", "kecamatan"]
    raw_id_fields = ["kecamatan"]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["code", "user", "bpp"]
    list_filter = ["bpp"]
    search_fields = ["code", "user__username", "user__first_name"]
    filter_horizontal = ["villages"]


@admin.register(FarmerCount)
class FarmerCountAdmin(admin.ModelAdmin):
    list_display = ["village", "as_of", "count", "is_demo", "source"]
    list_filter = ["as_of", "is_demo"]
    raw_id_fields = ["village"]


class HeirInline(admin.TabularInline):
    model = Heir
    extra = 0


@admin.register(Farmer)
class FarmerAdmin(admin.ModelAdmin):
    list_display = ["name", "kpj", "village", "registration_status", "paid_through", "is_demo"]
    list_filter = ["registration_status", "is_demo"]
    search_fields = ["name", "nik", "kpj"]
    raw_id_fields = ["village", "agent", "registered_by", "consent_recorded_by"]
    readonly_fields = ["kpj", "registration_status", "insurer_errors", "paid_through", "created_at"]
    inlines = [HeirInline]
