"""Pages of agents' cash: each agent's balance, and the coordinator's record of a *setoran*."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from itertools import groupby

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Agent, Role
from accounts.permissions import role_required
from contributions.cash import (
    CASH_HOLD_DAYS,
    OVERDUE_LABEL,
    RECORDS_DEPOSITS,
    AgentCash,
    agent_cash,
    agents_for,
    cash_ledger,
    deposit_record,
)
from contributions.models import Deposit
from sutasoma.fields import LineField
from sutasoma.formatting import rupiah
from sutasoma.text import TextProblem, ascii_digits
from wilayah.models import Bpp, Region

PAGE_SIZE = 25


class RupiahField(forms.CharField):
    """Whole rupiah as people write them: `50000`, `50.000` or `Rp 50.000`."""

    problem = "Tulis jumlah dalam rupiah tanpa sen, misalnya 50.000."

    def to_python(self, value: object) -> int | None:
        text = super().to_python(value).strip()
        if not text:
            return None
        if text[:2].lower() == "rp":
            text = text[2:]
        try:
            number = ascii_digits(text, separators=" .")
        except TextProblem:
            raise ValidationError(self.problem, code="digits") from None
        if not number or len(number) > 12:  # a trillion rupiah is a typing slip, not a deposit
            raise ValidationError(self.problem, code="digits")
        return int(number)


class DepositForm(forms.Form):
    amount = RupiahField(
        label="Jumlah setoran (Rp)",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "50.000", "maxlength": 20}
        ),
    )
    deposited_on = forms.DateField(
        label="Tanggal setor", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference = LineField(
        label="Referensi (nomor slip atau bukti setor)",
        max_length=Deposit._meta.get_field("reference").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # The form's one-time token: sent twice (double tap, a retry on a bad connection), saved once.
    submission_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": "Formulir tidak lengkap. Muat ulang halaman, lalu isi lagi."},
    )


@dataclass(frozen=True)
class BppCash:
    bpp: Bpp
    rows: list[AgentCash]
    balance: int
    overdue: int

    @classmethod
    def of(cls, rows: list[AgentCash]) -> BppCash:
        return cls(rows[0].agent.bpp, rows, sum(r.balance for r in rows), sum(r.overdue for r in rows))


def _agent_in_scope(request: HttpRequest, code: str) -> Agent:
    """The agent, or 404 when it does not exist *or* lies outside the user's scope."""
    return get_object_or_404(agents_for(request.user), code=code)


def _ledger_page(request: HttpRequest, agent: Agent) -> Page:
    return Paginator(cash_ledger(agent), PAGE_SIZE).get_page(request.GET.get("halaman"))


@require_GET
def cash_overview(request: HttpRequest) -> HttpResponse:
    """An agent sees their own cash book; everyone above, the agents of their BPP or regency."""
    today = timezone.localdate()
    agents = agents_for(request.user)
    context: dict = {"hold_days": CASH_HOLD_DAYS, "overdue_label": OVERDUE_LABEL}
    if request.user.role == Role.PENYULUH:
        own = agent_cash(agents, today=today)
        if own:
            context.update(own=own[0], page=_ledger_page(request, own[0].agent))
    else:
        if request.user.role == Role.ADMIN:
            # A province's 1.100 agents and their million payments are one regency at a time.
            regencies = Region.objects.filter(level=Region.Level.KABUPATEN).order_by("code")
            chosen = next((r for r in regencies if r.code == request.GET.get("kabupaten")), None)
            context.update(regencies=regencies, regency=chosen)
            agents = agents.filter(bpp__kecamatan__parent=chosen) if chosen else agents.none()
        rows = agent_cash(agents.order_by("bpp__kecamatan_id", "code"), today=today)
        context.update(
            groups=[BppCash.of(list(group)) for _, group in groupby(rows, key=lambda row: row.agent.bpp_id)],
            total_balance=sum(row.balance for row in rows),
            overdue_count=sum(row.overdue for row in rows),
        )
    return render(request, "contributions/cash_overview.html", context)


@role_required(*RECORDS_DEPOSITS)
@require_http_methods(["GET", "POST"])
def deposit_new(request: HttpRequest, code: str) -> HttpResponse:
    agent = _agent_in_scope(request, code)
    today = timezone.localdate()
    if request.method == "POST":
        form = DepositForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                deposit = deposit_record(
                    by=request.user,
                    agent=agent,
                    amount=data["amount"],
                    deposited_on=data["deposited_on"],
                    reference=data["reference"],
                    submission_token=data["submission_token"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request, f"Setoran {rupiah(deposit.amount)} dari {agent} dicatat (referensi {deposit.reference})."
                )
                return redirect("contributions:cash_overview")
    else:
        form = DepositForm(initial={"deposited_on": today, "submission_token": uuid.uuid4()})
    (cash,) = agent_cash(Agent.objects.filter(pk=agent.pk), today=today)
    context = {"form": form, "cash": cash, "page": _ledger_page(request, agent), "overdue_label": OVERDUE_LABEL}
    return render(request, "contributions/cash_deposit.html", context)
