"""Reports asked for on a page and made in the background; the owner downloads them later."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role, User
from accounts.permissions import role_required
from enrollment.selectors import villages_for
from monitoring.area import FIRST_YEAR
from monitoring.exports import export_request
from monitoring.models import ExportFormat, ExportJob, ExportState
from monitoring.reports import REPORTS
from sutasoma.months import month_start
from sutasoma.tokens import submission_token
from sutasoma.widgets import LongSelect
from wilayah.models import Region

REPORT_LABELS = {
    "monev": "Laporan monev bulanan",
    "peserta": "Daftar peserta",
    "iuran": "Rekap iuran",
    "klaim": "Rekap klaim",
}
RECENT_JOBS = 10
TEMPLATE = "monitoring/reports.html"
STATUS_TEMPLATE = "monitoring/export_status.html"
REPORTERS = (Role.KOORDINATOR, Role.DINAS, Role.ADMIN)


class ExportForm(forms.Form):
    name = forms.ChoiceField(label="Laporan", choices=[(n, REPORT_LABELS.get(n, n)) for n in REPORTS])
    month = forms.DateField(
        label="Bulan",
        input_formats=["%Y-%m"],
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
        error_messages={"invalid": "Tulis bulan seperti 2026-04."},
    )
    area = forms.ChoiceField(label="Wilayah", required=False, widget=LongSelect)  # an admin's: every kecamatan
    fmt = forms.ChoiceField(label="Format", choices=ExportFormat.choices, widget=forms.RadioSelect)

    def __init__(self, *args, user: User, today: dt.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        kecamatans = Region.objects.filter(code__in=villages_for(user).values("parent_id")).order_by("name")
        self.fields["area"].choices = [("", "Seluruh wilayah saya"), *((k.code, str(k)) for k in kecamatans)]

    def clean_month(self) -> dt.date:
        month = month_start(self.cleaned_data["month"])
        if month > month_start(self.today):
            raise forms.ValidationError("Bulan ini belum berjalan.")
        if month.year < FIRST_YEAR:
            raise forms.ValidationError("Bulan terlalu lama; periksa tahunnya.")
        return month


@role_required(*REPORTERS)
@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    token = submission_token(request)
    if request.method == "POST":
        form = ExportForm(request.POST, user=request.user, today=today)
        if form.is_valid():
            job = export_request(user=request.user, token=token, **form.cleaned_data)
            return redirect("monitoring:export_status", pk=job.pk)
    else:
        form = ExportForm(user=request.user, today=today, initial={"month": month_start(today), "fmt": "pdf"})
    jobs = [
        (job, REPORT_LABELS.get(job.name, job.name))
        for job in ExportJob.objects.filter(user=request.user)[:RECENT_JOBS]
    ]
    return render(request, TEMPLATE, {"form": form, "token": token, "jobs": jobs})


@role_required(*REPORTERS)
@require_GET
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's page; with HTMX only its status, polled until it is done or failed."""
    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    context = {"job": job, "label": REPORT_LABELS.get(job.name, job.name)}
    return render(request, f"{STATUS_TEMPLATE}#status" if request.htmx else STATUS_TEMPLATE, context)


@role_required(*REPORTERS)
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = get_object_or_404(ExportJob, pk=pk, user=request.user, state=ExportState.DONE)
    try:
        handle = job.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("Berkas laporan sudah dihapus.") from None
    content_type = (
        "application/pdf"
        if job.fmt == ExportFormat.PDF
        else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=job.filename)
    # Personal data (participant lists): not kept by the browser nor by any cache on the way.
    response["Cache-Control"] = "no-store, private"
    return response
