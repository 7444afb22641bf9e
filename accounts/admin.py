from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User


@admin.register(User)
class SutasomaUserAdmin(UserAdmin):
    list_display = ["username", "get_full_name", "role", "bpp", "regency", "is_active"]
    list_filter = ["role", "bpp", "is_active"]
    fieldsets = [*UserAdmin.fieldsets, ("Peran dan wilayah", {"fields": ["role", "bpp", "regency"]})]
    add_fieldsets = [*UserAdmin.add_fieldsets, ("Peran dan wilayah", {"fields": ["role", "bpp", "regency"]})]
