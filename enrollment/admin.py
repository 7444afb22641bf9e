from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Role
from enrollment.ktp import KtpError, process_ktp_upload
from enrollment.models import Farmer, Heir
from enrollment.services import farmer_anonymise


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
class FarmerAdmin(SimpleHistoryAdmin):
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

    def has_delete_permission(self, request: HttpRequest, obj: Farmer | None = None) -> bool:
        # A plain delete would leave the farmer's history rows (and the KTP file) behind: erasure
        # goes through farmer_anonymise / farmer_erase (`anonimkan_petani`), which remove those too.
        return False

    history_list_display = ["registration_status", "kpj"]
    actions = ["anonymise"]

    @admin.action(description="Anonimkan atas permintaan petani", permissions=["anonymise"])
    def anonymise(self, request: HttpRequest, queryset: QuerySet[Farmer]) -> TemplateResponse | None:
        reason = request.POST.get("alasan", "").strip()
        if request.POST.get("post") != "ya" or not reason:
            return TemplateResponse(
                request,
                "audit/admin_anonymise.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "farmers": queryset,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "missing_reason": request.POST.get("post") == "ya",
                },
            )
        done = 0
        for farmer in queryset:
            try:
                farmer_anonymise(farmer=farmer, by=request.user, reason=reason)
            except ValidationError as exc:
                self.message_user(request, f"Petani #{farmer.pk}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} petani dianonimkan.", messages.SUCCESS)
        return None

    def has_anonymise_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or request.user.role == Role.ADMIN
