from __future__ import annotations

import csv
import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from accounts.permissions import role_required
from accounts.scope import regency_code_for
from audit.models import Action
from audit.services import access_record
from enrollment import importer, kept_ktp, services, sheets
from enrollment.cover import CoverStatus, cover_status
from enrollment.forms import AreaFilterForm, FarmerForm, HeirFormSet
from enrollment.imports import SYNC_ROWS, import_request
from enrollment.ktp import CONTENT_TYPES as KTP_CONTENT_TYPES
from enrollment.ktp import KtpError
from enrollment.ktp_reading import READING_UNAVAILABLE, KtpReadingError, form_values, reading_available
from enrollment.models import MIN_INCOME, Farmer, ImportJob, ImportState, RegistrationStatus
from enrollment.nik import NikError, parse_nik
from enrollment.selectors import (
    area_filter,
    farmer_for_user,
    farmer_search,
    farmers_for,
    name_match_count,
    searches_by_trigram,
    villages_for,
)
from sutasoma.drafts import draft_key
from sutasoma.fields import LineField
from sutasoma.paging import COUNT_CAP, capped_count, cursor_row, keyset_page, ordering
from sutasoma.text import TextProblem, ascii_digits
from sutasoma.tokens import submission_token

PAGE_SIZE = 25
LIST_ORDER = ("name", "id")  # Farmer.Meta.ordering, with an index of its own for keyset paging
REGISTRATION_ORDER = ("id",)  # a name search across a province, oldest registration first
RECENT_IMPORTS = 10


class FarmerSearchForm(AreaFilterForm):
    q = LineField(label="NIK, KPJ atau nama", max_length=100, required=False)
    status = forms.ChoiceField(choices=[("", "Semua"), *CoverStatus.choices], required=False)

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {key: data[key] for key in ("q", "kabupaten", "kecamatan", "desa", "status") if data.get(key)}


def _holds_identity_number(query: str) -> bool:
    # A whole NIK or KK: sent by POST and never put into the address bar, history or access log.
    digits = query.replace(" ", "").replace(".", "")
    return len(digits) == 16 and digits.isdigit()


@require_http_methods(["GET", "POST"])
def farmer_list(request: HttpRequest) -> HttpResponse:
    form = FarmerSearchForm(request.POST if request.method == "POST" else request.GET)
    filters = form.filters()
    areas, area = area_filter(request.user, form.area_data())
    private = _holds_identity_number(filters.get("q", ""))
    shown = {key: filters[key] for key in ("q", "status") if key in filters and not (key == "q" and private)}
    shareable = urlencode(shown | {level.name: level.selected for level in areas if level.selected})
    if request.method == "POST" and form.is_valid() and not private and not request.htmx:
        return redirect(f"{request.path}?{shareable}" if shareable else request.path)
    today = timezone.localdate()
    scope = farmers_for(request.user)
    farmers = farmer_search(scope, query=filters.get("q", ""), area=area, status=filters.get("status", ""), today=today)
    order, by_index, count = LIST_ORDER, True, None
    if searches_by_trigram(filters.get("q", "")):
        by_index = False  # sorted after the trigram index finds the matches (sutasoma/paging.py)
        if request.user.role == Role.ADMIN and not area:
            # A whole province: a common name (SITI, 33.000 farmers) cannot be sorted by name
            # without fetching every match (1,4 s). In registration order the first 25 matches
            # come at once; the page says so, and a kabupaten chosen brings back the name order.
            order, by_index = REGISTRATION_ORDER, True
            count = name_match_count(farmers, cap=COUNT_CAP)
    cursor_rows = scope.select_related(None).only(*LIST_ORDER)
    page = keyset_page(
        farmers,
        order=order,
        size=PAGE_SIZE,
        after=cursor_row(cursor_rows, request.GET.get("setelah")),
        before=cursor_row(cursor_rows, request.GET.get("sebelum")),
        by_index=by_index,
    )
    for farmer in page:
        farmer.cover = cover_status(
            registration_status=farmer.registration_status, paid_through=farmer.paid_through, today=today
        )
    if count is None:
        # Only a name search's count takes the page's order, to keep it off the name index. Any
        # other count is left to the planner: walking the name index for a regency's first 1.001
        # farmers read 39.000 rows (260 ms at a million), where its desa index reads 1.001.
        count = capped_count(farmers, page, order=() if by_index else ordering(order, by_index=False))
    # An HTMX search swaps the results, and the area selects beside them (out of band).
    swapped = bool(request.htmx and request.htmx.target == "farmer-results")
    template = "enrollment/farmer_list.html" + ("#results" if swapped else "")
    response = render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "swapped": swapped,
            "count": count,
            "by_registration": order == REGISTRATION_ORDER,
            "count_cap": COUNT_CAP,
            "q": filters.get("q", ""),
            "status": filters.get("status", ""),
            "area": area,
            "areas": areas,
            "filters": shareable,
            "statuses": CoverStatus.choices,
        },
    )
    if request.htmx:
        response["HX-Push-Url"] = f"{request.path}?{shareable}" if shareable else request.path
    return response


@require_GET
def farmer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # The page names the desa's kecamatan and who recorded the consent: one query, not three.
    farmer = farmer_for_user(request.user, pk, "village__parent", "consent_recorded_by")
    _log_view(request, Action.VIEW_NIK, farmer)  # this page shows the whole NIK
    farmer.cover = cover_status(
        registration_status=farmer.registration_status, paid_through=farmer.paid_through, today=timezone.localdate()
    )
    return render(request, "enrollment/farmer_detail.html", {"farmer": farmer, "heirs": farmer.heirs.all()})


@require_GET
def farmer_ktp(request: HttpRequest, pk: int) -> FileResponse:
    farmer = farmer_for_user(request.user, pk)
    name = farmer.ktp_image.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    # The type comes from what intake stores, never from the file: anything else on disk
    # (an old upload, a file put there by hand) is not served, least of all as HTML.
    content_type = KTP_CONTENT_TYPES.get(extension)
    if content_type is None:
        raise Http404("Belum ada foto KTP.")
    try:
        handle = farmer.ktp_image.open("rb")
    except FileNotFoundError:
        raise Http404("Berkas foto KTP tidak ditemukan.") from None
    _log_view(request, Action.VIEW_KTP, farmer)
    return _private_file(handle, content_type=content_type, filename=f"ktp-{farmer.pk}.{extension}")


def _private_file(handle, *, content_type: str, filename: str) -> FileResponse:
    response = FileResponse(
        handle,
        content_type=content_type,
        # A PDF is downloaded rather than opened in the browser's PDF viewer.
        as_attachment=content_type == "application/pdf",
        filename=filename,
    )
    # Personal data: not kept by the browser nor by any cache on the way.
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@role_required(Role.PENYULUH)
@require_GET
def kept_ktp_file(request: HttpRequest, token: uuid.UUID) -> FileResponse:
    """The thumbnail of the KTP kept for this agent's form; anyone else's token finds nothing."""
    ktp = kept_ktp.kept(user=request.user, token=token)
    if ktp is None:
        raise Http404("Tidak ada foto KTP tersimpan untuk isian ini.")
    extension = ktp.content.name.rsplit(".", 1)[-1]
    return _private_file(ktp.content, content_type=ktp.content_type, filename=f"ktp.{extension}")


@role_required(Role.PENYULUH)
@require_http_methods(["GET", "POST"])
def farmer_register(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    token = submission_token(request)
    if request.method == "POST":
        earlier = farmers_for(request.user).filter(submission_token=token).first()
        if earlier:
            return redirect(earlier)  # the same form sent twice (double tap, retry on a bad connection)
        form = FarmerForm(
            request.POST,
            request.FILES,
            user=request.user,
            today=today,
            kept_ktp=kept_ktp.kept(user=request.user, token=token),
        )
        heirs = HeirFormSet(request.POST, prefix="ahli")
        if form.is_valid() and heirs.is_valid():
            registration = form.registration([h for f in heirs if (h := f.heir())], submission_token=token)
            farmer = form.run(lambda: services.farmer_register(user=request.user, registration=registration))
            if farmer:
                kept_ktp.discard(user=request.user, token=token)
                # The tag tells the phone that this form's draft has done its job (static/js/app.js).
                messages.success(
                    request,
                    f"Petani berhasil didaftarkan: {farmer.name}. Menunggu KPJ dari BPJS.",
                    extra_tags="draft-sent",
                )
                return redirect(farmer)
        _keep_new_ktp(request, form, token)
    else:
        form = FarmerForm(user=request.user, today=today, initial={"income": MIN_INCOME})
        heirs = HeirFormSet(prefix="ahli")
    return render(
        request,
        "enrollment/register.html",
        {
            "form": form,
            "heirs": heirs,
            "token": token,
            "draft_key": draft_key(request),
            # A draft on the phone is offered on a fresh form, not over what the server sent back.
            "offer_draft": request.method == "GET",
            "ktp_reading": reading_available(),
        },
    )


def _keep_new_ktp(request: HttpRequest, form: FarmerForm, token: uuid.UUID) -> None:
    """A form sent back for correction keeps the photo that came with it, so it is not taken again."""
    if form.new_ktp:
        kept_ktp.keep(user=request.user, token=token, ktp=form.new_ktp)
        form.kept_ktp = form.ktp_file = form.new_ktp


NO_PHOTO = "Belum ada foto KTP untuk dibaca."
NOT_READ = "KTP tidak terbaca dari foto. Isi data secara manual, atau foto ulang lebih dekat dan terang."
READ_DONE = "Data dibaca dari foto KTP. Periksa setiap isian bertanda sebelum mendaftarkan."


@role_required(Role.PENYULUH)
@require_POST
def ktp_read(request: HttpRequest) -> JsonResponse:
    """The fields read from a KTP photo, for the registration form to offer (static/js/ktp-reading.js).

    Nothing is stored: the photo goes through the KTP intake, is read and forgotten; the agent
    uploads it again with the form. A failed read, or one past the agent's limit, answers with a
    message and no fields.
    """
    upload = request.FILES.get("ktp_upload")
    if upload is None:
        return JsonResponse({"error": NO_PHOTO}, status=400)
    if not reading_available():
        return JsonResponse({"error": READING_UNAVAILABLE}, status=503)
    try:
        reading = services.ktp_read(user=request.user, upload=upload, ip_address=request.META.get("REMOTE_ADDR"))
    except services.KtpReadLimitReached as exc:
        return JsonResponse({"error": str(exc)}, status=429)
    except KtpError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    except KtpReadingError:
        return JsonResponse({"error": NOT_READ}, status=422)
    villages = list(villages_for(request.user).values_list("pk", "name"))
    fields = form_values(reading, villages=villages)
    return JsonResponse({"fields": fields, "message": READ_DONE if fields else NOT_READ})


@role_required(Role.PENYULUH)
@require_http_methods(["GET", "POST"])
def farmer_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """The agent corrects what BPJS refused and sends the registration again."""
    farmer = farmer_for_user(request.user, pk)
    if farmer.registration_status != RegistrationStatus.DITOLAK:
        messages.warning(request, "Data ini tidak sedang ditolak BPJS, jadi tidak perlu diperbaiki.")
        return redirect(farmer)
    token = submission_token(request)
    form = FarmerForm(
        request.POST or None,
        request.FILES or None,
        instance=farmer,
        user=request.user,
        today=timezone.localdate(),
        require_ktp=False,
        kept_ktp=kept_ktp.kept(user=request.user, token=token) if request.method == "POST" else None,
    )
    if request.method == "POST":
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in FarmerForm.Meta.fields}
            if form.run(lambda: services.farmer_correct(farmer=farmer, fields=fields, ktp=form.ktp_file)):
                kept_ktp.discard(user=request.user, token=token)
                messages.success(request, "Perbaikan disimpan dan dikirim ulang ke BPJS.")
                return redirect(farmer)
        _keep_new_ktp(request, form, token)
    return render(
        request,
        "enrollment/register.html",
        {
            "form": form,
            "farmer": farmer,
            "token": token,
        },
    )


def _log_view(request: HttpRequest, action: Action, farmer: Farmer) -> None:
    access_record(
        user=request.user, action=action, subject=f"petani:{farmer.pk}", ip_address=request.META.get("REMOTE_ADDR")
    )


@role_required(Role.PENYULUH)
@require_POST
def nik_check(request: HttpRequest) -> HttpResponse:
    """As the agent types: is the NIK valid, and is it already registered? Prefills birth date and sex.

    POST, so the NIK stays out of URLs and access logs; only agents, who register, may ask.
    """
    raw = request.POST.get("nik", "")
    context: dict = {}
    try:
        info = parse_nik(ascii_digits(raw), today=timezone.localdate())
    except (NikError, TextProblem) as exc:
        context["error"] = str(exc) if len(raw.strip()) >= 16 else ""
    else:
        try:
            holder = services.nik_lookup(user=request.user, nik=info.nik, ip_address=request.META.get("REMOTE_ADDR"))
        except services.LookupLimitReached as exc:
            context["error"] = str(exc)
        else:
            context.update(info=info, holder=holder, elsewhere=info.regency_code != regency_code_for(request.user))
    return render(request, "enrollment/register.html#nik-feedback", context)


class ImportUploadForm(forms.Form):
    rows: list[sheets.Row]  # the file's rows, once clean_file() has read them
    deadline: sheets.Deadline | None = None  # reading and checking share one time limit

    file = forms.FileField(
        label="Berkas daftar petani (CSV atau XLSX)",
        help_text=f"Paling besar {sheets.MAX_MB} MB dan {sheets.MAX_ROWS} baris.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    consent = forms.BooleanField(
        label="Semua petani dalam berkas sudah menyetujui data pribadinya diproses untuk kepesertaan "
        "BPJS Ketenagakerjaan.",
        error_messages={"required": "Persetujuan petani wajib dicatat sebelum mengimpor."},
    )
    dry_run = forms.BooleanField(label="Periksa saja, jangan simpan dulu.", required=False)

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > sheets.MAX_BYTES:
            raise forms.ValidationError(sheets.TOO_BIG)
        self.deadline = sheets.Deadline.after(sheets.WEB_SECONDS)
        try:
            self.rows = importer.read_rows(upload, upload.name, deadline=self.deadline)
        except sheets.ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


@role_required(Role.PENYULUH)
@require_http_methods(["GET", "POST"])
def farmer_import(request: HttpRequest) -> HttpResponse:
    """An agent's existing paper list: the file is read here, and imported as a job whose page
    shows the report (enrollment/imports.py)."""
    token = submission_token(request)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            job = import_request(
                user=request.user,
                rows=form.rows,
                filename=form.cleaned_data["file"].name,
                dry_run=form.cleaned_data["dry_run"],
                token=token,
                deadline=form.deadline,
            )
            return redirect("enrollment:import_status", pk=job.pk)
    else:
        form = ImportUploadForm()
    return render(
        request,
        "enrollment/import.html",
        {
            "form": form,
            "token": token,
            "jobs": ImportJob.objects.filter(user=request.user).defer("rows", "report")[:RECENT_IMPORTS],
            "sync_rows": SYNC_ROWS,
            "columns": importer.COLUMNS,
            "optional": importer.OPTIONAL_COLUMNS,
            "default_income": MIN_INCOME,
            "max_mb": sheets.MAX_MB,
            "max_rows": sheets.MAX_ROWS,
        },
    )


@role_required(Role.PENYULUH)
@require_GET
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    """An import's progress, then its report; for the agent who uploaded it alone. With HTMX only
    the status, polled until the job is done."""
    job = get_object_or_404(ImportJob.objects.defer("rows"), pk=pk, user=request.user)
    report = importer.ImportReport.from_json(job.report) if job.state == ImportState.DONE else None
    template = "enrollment/import_status.html"
    return render(request, f"{template}#status" if request.htmx else template, {"job": job, "report": report})


@role_required(Role.PENYULUH)
@require_GET
def farmer_import_template(request: HttpRequest) -> HttpResponse:
    """The header and one example row. The example NIK ends in 0000, which no NIK may: a sheet
    sent back with the example still in it never registers a made-up person."""
    village = villages_for(request.user).first()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="contoh-impor-petani.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with the BOM
    writer = csv.writer(response)
    writer.writerow(importer.COLUMNS)
    writer.writerow(
        [
            "7312044501900000",
            "7312040101900001",
            "HASNAH",
            "SOPPENG",
            "1990-01-05",
            "P",
            "JL. POROS WATANSOPPENG",
            "001",
            "002",
            village.code if village else "73.12.04.2009",
            "081234567890",
            "petani",
            "1000000",
            "ANDI BASO",
            "suami",
        ]
    )
    return response
