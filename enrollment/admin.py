from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import admin
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from enrollment.ktp import KtpError, process_ktp_upload
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


class FarmerAdminForm(forms.ModelForm):
    """The admin stores a KTP only through the same intake as the agents' forms."""

    class Meta:
        model = Farmer
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin decides which fields show; this form only adds the check
        widgets = {"ktp_image": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"})}

    def clean_ktp_image(self) -> File | None:
        value = self.cleaned_data.get("ktp_image")
        if not isinstance(value, UploadedFile):
            return value  # unchanged, or cleared
        try:
            # The cleaned copy is what gets saved; upload_to gives it a random name.
            return process_ktp_upload(value).content
        except KtpError as exc:
            raise forms.ValidationError(str(exc)) from exc


def _delete_ktp_on_commit(name: str) -> None:
    if name:
        storage = Farmer._meta.get_field("ktp_image").storage
        transaction.on_commit(partial(storage.delete, name), robust=True)


@admin.register(Farmer)
class FarmerAdmin(admin.ModelAdmin):
    form = FarmerAdminForm
    list_display = ["name", "kpj", "village", "registration_status", "paid_through", "is_demo"]
    list_filter = ["registration_status", "is_demo"]
    search_fields = ["name", "nik", "kpj"]
    raw_id_fields = ["village", "agent", "registered_by", "consent_recorded_by"]
    readonly_fields = ["kpj", "registration_status", "insurer_errors", "paid_through", "created_at"]
    inlines = [HeirInline]

    def save_model(self, request: HttpRequest, obj: Farmer, form: forms.ModelForm, change: bool) -> None:
        previous = ""
        if change and "ktp_image" in form.changed_data:
            previous = Farmer.objects.filter(pk=obj.pk).values_list("ktp_image", flat=True).first() or ""
        super().save_model(request, obj, form, change)
        if previous != obj.ktp_image.name:
            _delete_ktp_on_commit(previous)

    def delete_model(self, request: HttpRequest, obj: Farmer) -> None:
        name = obj.ktp_image.name
        super().delete_model(request, obj)
        _delete_ktp_on_commit(name)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Farmer]) -> None:
        names = list(queryset.exclude(ktp_image="").values_list("ktp_image", flat=True))
        super().delete_queryset(request, queryset)
        for name in names:
            _delete_ktp_on_commit(name)
