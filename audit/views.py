from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import role_required
from audit.models import Action
from audit.selectors import HISTORY_TYPES, Filters, access_entries, change_entries, change_rows, farmer_id_of

PAGE_SIZE = 25
ACCESS, CHANGES = "akses", "perubahan"


class AuditFilterForm(forms.Form):
    tab = forms.ChoiceField(choices=[(ACCESS, "Akses data pribadi"), (CHANGES, "Perubahan data")], required=False)
    pengguna = forms.CharField(label="Pengguna", max_length=150, required=False)
    tindakan = forms.ChoiceField(label="Tindakan", choices=[("", "Semua"), *Action.choices], required=False)
    jenis = forms.ChoiceField(label="Perubahan", choices=[("", "Semua"), *HISTORY_TYPES.items()], required=False)
    subjek = forms.CharField(
        label="Data", max_length=64, required=False, widget=forms.TextInput(attrs={"placeholder": "petani:42"})
    )
    dari = forms.DateField(label="Dari tanggal", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sampai = forms.DateField(label="Sampai tanggal", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_tab(self) -> str:
        return self.cleaned_data["tab"] or ACCESS

    def clean_subjek(self) -> str:
        subject = self.cleaned_data["subjek"].strip().lower()
        if subject and self.data.get("tab") == CHANGES and farmer_id_of(subject) is None:
            raise forms.ValidationError("Tulis seperti petani:42 (nomor petani).")
        return subject

    def clean(self) -> dict:
        data = super().clean()
        if data.get("dari") and data.get("sampai") and data["dari"] > data["sampai"]:
            self.add_error("sampai", "Tanggal akhir sebelum tanggal awal.")
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            username=data["pengguna"].strip(),
            action=data["tindakan"] if data["tab"] == ACCESS else data["jenis"],
            subject=data["subjek"],
            since=data["dari"],
            until=data["sampai"],
        )


@role_required(Role.ADMIN, Role.DINAS)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who looked at personal data and who changed it. Dinas sees its own regency."""
    form = AuditFilterForm(request.GET)
    tab = request.GET.get("tab") if request.GET.get("tab") in (ACCESS, CHANGES) else ACCESS
    page = entries = None
    if form.is_valid():
        filters = form.filters()
        if tab == ACCESS:
            page = Paginator(access_entries(request.user, filters), PAGE_SIZE).get_page(request.GET.get("halaman"))
            entries = page.object_list
        else:
            page = Paginator(change_rows(request.user, filters), PAGE_SIZE).get_page(request.GET.get("halaman"))
            entries = change_entries(page.object_list)
    filtered = any(request.GET.get(name) for name in form.fields if name != "tab")
    query = urlencode([(k, v) for k, v in request.GET.items() if v and k != "halaman"])
    context = {"form": form, "tab": tab, "page": page, "entries": entries, "filtered": filtered, "query": query}
    return render(request, "audit/log.html", context)
