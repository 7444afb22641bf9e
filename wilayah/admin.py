from django.contrib import admin

from wilayah.models import Bpp, FarmerCount, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Bpp)
class BppAdmin(admin.ModelAdmin):
    list_display = ["name", "kecamatan"]
    raw_id_fields = ["kecamatan"]


@admin.register(FarmerCount)
class FarmerCountAdmin(admin.ModelAdmin):
    list_display = ["village", "as_of", "count", "is_demo", "source"]
    list_filter = ["as_of", "is_demo"]
    raw_id_fields = ["village"]
