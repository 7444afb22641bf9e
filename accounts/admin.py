from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import Agent, User


@admin.register(User)
class SutasomaUserAdmin(UserAdmin):
    list_display = ["username", "get_full_name", "role", "bpp", "regency", "is_active"]
    list_filter = ["role", "bpp", "is_active"]
    fieldsets = [*UserAdmin.fieldsets, ("Peran dan wilayah", {"fields": ["role", "bpp", "regency"]})]
    add_fieldsets = [*UserAdmin.add_fieldsets, ("Peran dan wilayah", {"fields": ["role", "bpp", "regency"]})]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["code", "user", "bpp"]
    list_filter = ["bpp"]
    search_fields = ["code", "user__username", "user__first_name"]
    filter_horizontal = ["villages"]
