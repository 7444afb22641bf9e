"""Batch payments on the web: choose who pays, pick farmers or upload a list, check, confirm;
then the batch's recap. The rules are in contributions/batches.py."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role, User
from accounts.permissions import role_required
from contributions.batches import (
    MAX_MONTHS,
    PAYER_ROLES,
    BatchError,
    BatchReport,
    BatchRow,
    batch_record,
    file_reference,
    read_batch_file,
)
from contributions.models import FundSource, Payer, PaymentBatch
from contributions.selectors import payers_for, payments_for
from enrollment.forms import AreaFilterForm
from enrollment.models import Farmer, RegistrationStatus
from enrollment.selectors import area_filter, farmer_search, farmers_for
from enrollment.sheets import MAX_BYTES, MAX_MB, MAX_ROWS, TOO_BIG, WEB_SECONDS, Deadline, ImportFileError
from sutasoma.fields import LineField, UpperLineField

RECORDERS = (Role.ADMIN, Role.DINAS, Role.KOORDINATOR, Role.PENYULUH)
PICK_LIMIT = 200  # farmers listed to pick from; a longer list is a file
PAGE_SIZE = 50
PLAN = "contributions.batch_plan"  # the checked batch, in the session until it is confirmed


class BatchForm(forms.Form):
    source = forms.ChoiceField(label="Sumber dana", choices=FundSource.choices)
    payer = forms.ModelChoiceField(
        label="Pembayar", queryset=Payer.objects.none(), required=False, empty_label="Tanpa pembayar (iuran mandiri)"
    )
    reference = UpperLineField(
        label="Referensi",
        max_length=64,
        required=False,
        help_text="Nomor transfer, surat, atau buku kuitansi. Referensi yang sama dikirim lagi tidak mencatat "
        "apa pun dua kali. Kosong untuk berkas: dibuat dari isi berkas, jadi berkas yang sama dua kali tetap "
        "satu pembayaran kolektif (untuk pembayaran berikutnya dengan berkas yang sama, isi referensi baru).",
    )
    months = forms.TypedChoiceField(
        label="Jumlah bulan untuk petani yang dipilih",
        choices=[("", "–"), *((n, f"{n} bulan") for n in range(1, MAX_MONTHS + 1))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    farmers = forms.ModelMultipleChoiceField(queryset=Farmer.objects.none(), required=False)
    file = forms.FileField(
        label="Berkas daftar (CSV atau XLSX)",
        required=False,
        help_text=f"Kolom nik dan bulan; kolom nama boleh ada. Paling besar {MAX_MB} MB dan {MAX_ROWS} baris.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    token = forms.UUIDField(widget=forms.HiddenInput)  # one per visit: the reference of a picked list

    rows: list[BatchRow]
    deadline: Deadline | None = None

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.role in PAYER_ROLES:
            self.fields["payer"].queryset = payers_for(user).filter(is_active=True)
        else:
            # An agent enters the farmers' own money (a paper receipt book), never a payer's.
            self.fields["source"].choices = [(FundSource.MANDIRI, FundSource.MANDIRI.label)]
            del self.fields["payer"]
        self.fields["farmers"].queryset = farmers_for(user)

    def clean(self) -> dict:
        data = super().clean()
        source, payer = data.get("source"), data.get("payer")
        if source == FundSource.MANDIRI and payer is not None:
            self.add_error("payer", "Iuran mandiri dibayar petani sendiri: kosongkan pembayar.")
        elif source and source != FundSource.MANDIRI:
            if payer is None and "payer" not in self.errors:
                self.add_error("payer", "Pilih pembayarnya.")
            elif payer is not None and payer.source != source:
                self.add_error("payer", f"{payer} adalah pembayar {payer.get_source_display().lower()}.")
        upload, picked = data.get("file"), data.get("farmers")
        if upload and picked:
            self.add_error("file", "Pilih petani atau unggah berkas, tidak keduanya.")
        elif upload:
            self._read(upload)
        elif picked:
            if not data.get("months"):
                self.add_error("months", "Pilih jumlah bulan.")
            else:
                self.rows = [BatchRow(i, f.nik, str(data["months"])) for i, f in enumerate(picked, start=1)]
                if not data.get("reference") and data.get("token"):
                    data["reference"] = f"PILIH-{data['token'].hex[:20].upper()}"
        elif "farmers" not in self.errors and "file" not in self.errors:
            self.add_error("farmers", "Pilih petani atau unggah berkas.")
        return data

    def _read(self, upload) -> None:
        if upload.size > MAX_BYTES:
            self.add_error("file", TOO_BIG)
            return
        content = upload.read()
        self.deadline = Deadline.after(WEB_SECONDS)  # reading and recording share one time limit
        try:
            self.rows = read_batch_file(content, upload.name, deadline=self.deadline)
        except ImportFileError as exc:
            self.add_error("file", str(exc))
            return
        if not self.cleaned_data.get("reference"):
            self.cleaned_data["reference"] = file_reference(content)


class PickFilter(AreaFilterForm):
    q = LineField(max_length=100, required=False)


@role_required(*RECORDERS)
@require_http_methods(["GET", "POST"])
def batch_new(request: HttpRequest) -> HttpResponse:
    """Check first (nothing saved), then confirm the batch just checked."""
    context: dict = {}
    if request.method == "POST" and "confirm" in request.POST:
        form = BatchForm(user=request.user, initial={"token": uuid.uuid4()})
        # The same confirmation again continues a batch the time limit cut short.
        context.update(report=_confirm(request), plan_token=request.POST["confirm"])
    elif request.method == "POST":
        form = BatchForm(request.POST, request.FILES, user=request.user)
        if form.is_valid() and (report := _check(request, form)):
            context.update(report=report, plan_token=request.session[PLAN]["token"])
    else:
        form = BatchForm(user=request.user, initial={"token": uuid.uuid4()})
    # Filtering the pick list by HTMX swaps the list, and the area selects beside it (out of band).
    swapped = bool(request.htmx and request.htmx.target == "pick-list")
    template = "contributions/batch_new.html" + ("#pick-list" if swapped else "")
    context.update(_pick_list(request, form), form=form, recent=_recent(request.user), pick_swapped=swapped)
    return render(request, template, context)


def _check(request: HttpRequest, form: BatchForm) -> BatchReport | None:
    """A dry run of the form's batch; the batch itself waits in the session for the confirmation.

    Kept on the server, not in the page: the list holds whole NIKs, and what is confirmed is
    exactly what was checked.
    """
    data = form.cleaned_data
    payer = data.get("payer")
    try:
        report = batch_record(
            user=request.user,
            reference=data["reference"],
            source=data["source"],
            payer=payer,
            rows=form.rows,
            dry_run=True,
            deadline=form.deadline,
        )
    except BatchError as exc:
        form.add_error(None, str(exc))
        return None
    request.session[PLAN] = {
        "token": uuid.uuid4().hex,
        "reference": report.reference,
        "source": data["source"],
        "payer": payer.pk if payer else None,
        "rows": [list(row) for row in form.rows],
    }
    return report


def _confirm(request: HttpRequest) -> BatchReport | None:
    plan = request.session.get(PLAN)
    if not plan or plan["token"] != request.POST.get("confirm"):
        # Another tab checked another batch since, or the session ended: nothing unchecked is recorded.
        messages.error(request, "Pemeriksaan ini sudah tidak berlaku. Periksa ulang daftarnya, lalu catat.")
        return None
    payer = Payer.objects.filter(pk=plan["payer"]).first() if plan["payer"] else None
    try:
        # Sent twice (a double tap, a reload), the same batch answers "sudah ada" for every row.
        return batch_record(
            user=request.user,
            reference=plan["reference"],
            source=plan["source"],
            payer=payer,
            rows=[BatchRow(*row) for row in plan["rows"]],
            deadline=Deadline.after(WEB_SECONDS),
        )
    except BatchError as exc:  # e.g. the payer was deactivated in between
        messages.error(request, str(exc))
        return None


def _pick_list(request: HttpRequest, form: BatchForm) -> dict:
    pick = PickFilter(request.GET)
    filters = pick.cleaned_data if pick.is_valid() else {}
    areas, area = area_filter(request.user, pick.area_data())
    farmers = farmer_search(
        farmers_for(request.user).exclude(registration_status=RegistrationStatus.DITOLAK),
        query=filters.get("q", ""),
        area=area,
        today=timezone.localdate(),
    )
    chosen = {str(pk) for pk in form["farmers"].value() or []}
    # One more than the list shows tells whether there are more; a province's count is not needed.
    shown = list(farmers[: PICK_LIMIT + 1])
    return {
        "pick": pick,
        "pick_farmers": shown[:PICK_LIMIT],
        "pick_count": len(shown),
        "pick_limit": PICK_LIMIT,
        "chosen": chosen,
        "areas": areas,
    }


def _recent(user: User) -> list[PaymentBatch]:
    return list(PaymentBatch.objects.filter(recorded_by=user).select_related("payer")[:10])


@role_required(*RECORDERS)
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch's recap, as far as the user's area goes: a batch with no payment in it is 404."""
    batch = get_object_or_404(PaymentBatch.objects.select_related("payer", "recorded_by"), pk=pk)
    payments = payments_for(request.user).filter(batch=batch).select_related("farmer__village")
    totals = payments.aggregate(count=Count("pk"), amount=Sum("amount"))
    if not totals["count"]:
        raise Http404("Pembayaran kolektif tidak ditemukan.")
    page = Paginator(payments.order_by("farmer__name", "pk"), PAGE_SIZE).get_page(request.GET.get("halaman"))
    return render(request, "contributions/batch_detail.html", {"batch": batch, "totals": totals, "page": page})
