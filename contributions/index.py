"""The *Iuran* page: every contributions page a role uses, in one place (the menu has one item)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Role

AGENT, COORDINATOR, DINAS, ADMIN = Role.PENYULUH, Role.KOORDINATOR, Role.DINAS, Role.ADMIN


@dataclass(frozen=True)
class Entry:
    url_name: str
    title: str
    description: str
    roles: frozenset[str]


ENTRIES = (
    Entry(
        "contributions:visit_list",
        "Kunjungan",
        "Petani yang perlindungannya segera habis, dalam masa tenggang atau baru tidak aktif.",
        frozenset({AGENT, COORDINATOR}),
    ),
    Entry(
        "contributions:cash_overview",
        "Kas iuran",
        "Uang iuran di tangan penyuluh, sejak kapan, dan setoran.",
        frozenset({AGENT, COORDINATOR, DINAS, ADMIN}),
    ),
    Entry(
        "contributions:batch_new",
        "Pembayaran kolektif",
        "Iuran untuk banyak petani sekaligus: dana desa, sponsor, atau buku kuitansi kertas.",
        frozenset({AGENT, COORDINATOR, DINAS, ADMIN}),
    ),
    Entry(
        "contributions:payer_list",
        "Pembayar",
        "Dana desa, sponsor dan pemerintah daerah yang membayar iuran petani.",
        frozenset({DINAS, ADMIN}),
    ),
    Entry(
        "contributions:reconciliation_list",
        "Rekonsiliasi",
        "Selisih antara pembayaran SUTASOMA dan yang dibukukan BPJS setiap malam.",
        frozenset({DINAS, ADMIN}),
    ),
)


@require_GET
def contributions_index(request: HttpRequest) -> HttpResponse:
    entries = [entry for entry in ENTRIES if request.user.role in entry.roles]
    return render(request, "contributions/index.html", {"entries": entries})
