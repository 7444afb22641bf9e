"""The reconciliation page: each night's differences with the insurer, what to do about each,
and closing one with a note. Admin sees all; Dinas what is scoped to it (differences_for)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from accounts.permissions import role_required
from contributions.models import ReconciliationDifference, ReconciliationRun
from contributions.reconciliation import (
    COMPARED,
    NOTE_MAX_LENGTH,
    NOTE_REQUIRED,
    WHAT_TO_DO,
    difference_resolve,
    differences_for,
)
from sutasoma.fields import LineField

RUNS_PER_PAGE = 7  # a week of nights
ALL = "semua"
TEMPLATE = "contributions/reconciliation_list.html"


class ResolveForm(forms.Form):
    resolution = LineField(
        label="Apa yang sudah dilakukan",
        max_length=NOTE_MAX_LENGTH,
        error_messages={"required": NOTE_REQUIRED},
        widget=forms.TextInput(attrs={"placeholder": "mis. sudah dicatat dari buku kuitansi kertas"}),
    )


def _resolve_form(difference: ReconciliationDifference, data: dict | None = None) -> ResolveForm:
    # One form per row on the page: the prefix keeps their ids apart.
    return ResolveForm(data, prefix=f"selisih-{difference.pk}")


def _for_display(difference: ReconciliationDifference, form: ResolveForm | None = None) -> ReconciliationDifference:
    """What the row shows: both sides of each compared field, the advice for its kind, its form."""
    detail = difference.detail
    ours, theirs = detail.get("sutasoma"), detail.get("bpjs")
    difference.lines = [
        {
            "label": label,
            "money": key == "nominal",
            "ours": (ours or {}).get(key),
            "theirs": (theirs or {}).get(key),
            "differs": key in detail.get("berbeda", []),
        }
        for key, label in COMPARED.items()
    ]
    difference.has_ours, difference.has_theirs = ours is not None, theirs is not None
    difference.what_to_do = WHAT_TO_DO[difference.kind]
    difference.form = form or _resolve_form(difference)
    return difference


def _list_query(request: HttpRequest) -> str:
    """The list's filter and page, carried through a resolve form so the user lands where they were."""
    return urlencode([(key, request.GET[key]) for key in ("status", "halaman") if request.GET.get(key)])


def _runs(request: HttpRequest, *, show_all: bool, bound: ResolveForm | None = None, bound_pk: int = 0) -> Page:
    page = Paginator(ReconciliationRun.objects.all(), RUNS_PER_PAGE).get_page(request.GET.get("halaman"))
    visible = differences_for(request.user).filter(run__in=page.object_list)
    open_counts = dict(visible.filter(resolved_at__isnull=True).order_by().values_list("run").annotate(n=Count("pk")))
    shown: dict[int, list[ReconciliationDifference]] = {}
    for difference in visible if show_all else visible.filter(resolved_at__isnull=True):
        form = bound if difference.pk == bound_pk else None
        shown.setdefault(difference.run_id, []).append(_for_display(difference, form))
    for run in page:
        run.open_count = open_counts.get(run.pk, 0)
        run.shown = shown.get(run.pk, [])
    return page


def _render_list(request: HttpRequest, **bound) -> HttpResponse:
    show_all = request.GET.get("status") == ALL
    page = _runs(request, show_all=show_all, **bound)
    context = {
        "page": page,
        "show_all": show_all,
        "any_shown": any(run.shown for run in page),
        "query": _list_query(request),
        "pager_query": urlencode({"status": ALL}) if show_all else "",
    }
    return render(request, TEMPLATE, context)


@role_required(Role.ADMIN, Role.DINAS)
@require_GET
def reconciliation_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


@role_required(Role.ADMIN, Role.DINAS)
@require_POST
def reconciliation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    difference = get_object_or_404(differences_for(request.user), pk=pk)
    already_resolved = difference.resolved_at is not None
    form = _resolve_form(difference, request.POST)
    if form.is_valid():
        try:
            difference = difference_resolve(user=request.user, difference_id=pk, note=form.cleaned_data["resolution"])
        except ReconciliationDifference.DoesNotExist:
            # Replaced meanwhile by a new run of the same day: its successor is on the list.
            raise Http404("Selisih ini sudah diganti oleh rekonsiliasi ulang; muat ulang halaman.") from None
        except ValidationError as exc:
            form.add_error(None, exc)
    if form.is_valid() and not request.htmx:
        if already_resolved:
            messages.info(request, f"Selisih kuitansi {difference.receipt_no} sudah diselesaikan sebelumnya.")
        else:
            messages.success(request, f"Selisih kuitansi {difference.receipt_no} ditandai selesai.")
        query = _list_query(request)
        return redirect(reverse("contributions:reconciliation_list") + (f"?{query}" if query else ""))
    if request.htmx:
        shown = _for_display(difference, None if form.is_valid() else form)
        return render(request, f"{TEMPLATE}#difference", {"d": shown, "query": _list_query(request)})
    return _render_list(request, bound=form, bound_pk=difference.pk)
