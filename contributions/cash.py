"""Agents' cash: what each penyuluh collected from farmers paying for themselves (*MANDIRI*)
against what they handed over (*setoran*, recorded by their coordinator), and since when they
have held the rest.

Which payments count: every MANDIRI payment the agent recorded, whatever BPJS later says of it.
A payment refused by the insurer is still the farmer's cash in the agent's hand; it is corrected
and resent as the same payment, and nothing in the app refunds it, so leaving it out would let
money disappear from the agent's balance. Other sources (dana desa, sponsor, pemda) reach BPJS
without passing through an agent's pocket and do not count.

Deposits pay off the oldest collections first (first in, first out), so `holding_since` is the
day of the oldest rupiah not yet deposited. Everything is summed in SQL, one query for any number
of agents: a running sum over each agent's payments (a window function) finds that rupiah.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.models import Agent, Role, User
from contributions.models import Deposit, FundSource, Payment
from sutasoma.formatting import rupiah, tanggal

CASH_HOLD_DAYS = 7
OVERDUE_LABEL = f"Menahan uang lebih dari {CASH_HOLD_DAYS} hari"
RECORDS_DEPOSITS = (Role.KOORDINATOR, Role.DINAS, Role.ADMIN)
REFERENCE_USED = "Referensi ini sudah dipakai untuk setoran penyuluh ini."


@dataclass(frozen=True)
class AgentCash:
    agent: Agent
    collected: int
    deposited: int
    holding_since: dt.date | None  # the day of the oldest rupiah not yet deposited
    overdue: bool

    @property
    def balance(self) -> int:
        return self.collected - self.deposited


def agents_for(user: User) -> QuerySet[Agent]:
    """The agents whose cash a user may see: a penyuluh only their own, a koordinator those of
    their BPP, Dinas those of BPPs in their regency, an admin all. An agent answers to one BPP,
    so this follows the agent's BPP rather than region_filter's desa (agents may share a desa)."""
    match user.role:
        case Role.ADMIN:
            scope = Q()
        case Role.DINAS if user.regency_id:
            scope = Q(bpp__kecamatan__parent_id=user.regency_id)
        case Role.KOORDINATOR if user.bpp_id:
            scope = Q(bpp_id=user.bpp_id)
        case Role.PENYULUH:
            scope = Q(user=user)
        case _:
            scope = Q(pk__in=[])
    return Agent.objects.filter(scope).select_related("user", "bpp")


def _collections() -> QuerySet[Payment]:
    """An agent's collections, correlated with an outer Agent queryset."""
    return Payment.objects.filter(recorded_by=OuterRef("user_id"), source=FundSource.MANDIRI).order_by()


def _total(rows: QuerySet) -> Coalesce:
    # SUM over a correlated subquery, without GROUP BY: one number per outer agent.
    total = rows.annotate(total=Func(F("amount"), function="SUM")).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def agent_cash(agents: QuerySet[Agent], *, today: dt.date) -> list[AgentCash]:
    """Collected, deposited, balance and holding-since of each agent, in one query."""
    with_totals = agents.annotate(
        collected=_total(_collections()),
        deposited=_total(Deposit.objects.filter(agent=OuterRef("pk")).order_by()),
    )
    oldest_not_deposited = (
        _collections()
        .annotate(running=Window(Sum("amount"), order_by=[F("paid_at").asc(), F("pk").asc()]))
        .filter(running__gt=OuterRef("deposited"))
        .order_by("paid_at", "pk")
        .values("paid_at")[:1]
    )
    rows = []
    for agent in with_totals.annotate(holding_since_at=Subquery(oldest_not_deposited)):
        since = timezone.localdate(agent.holding_since_at) if agent.holding_since_at else None
        rows.append(
            AgentCash(
                agent=agent,
                collected=agent.collected,
                deposited=agent.deposited,
                holding_since=since,
                overdue=since is not None and (today - since).days > CASH_HOLD_DAYS,
            )
        )
    return rows


def cash_ledger(agent: Agent) -> QuerySet:
    """An agent's collections and deposits, newest first, as rows of kind (IURAN or SETOR), day,
    rp, ref and label: one list for paging, as the agent reads their cash book."""
    text = CharField()
    collections = (
        Payment.objects.filter(recorded_by=agent.user_id, source=FundSource.MANDIRI)
        .order_by()
        .annotate(
            kind=Value("IURAN", output_field=text),
            day=TruncDate("paid_at"),
            at=F("paid_at"),
            rp=F("amount"),
            ref=F("receipt_no"),
            label=F("farmer__name"),
        )
        .values("kind", "day", "at", "rp", "ref", "label")
    )
    deposits = (
        Deposit.objects.filter(agent=agent)
        .order_by()
        .annotate(
            kind=Value("SETOR", output_field=text),
            day=F("deposited_on"),
            at=F("created_at"),
            rp=F("amount"),
            ref=F("reference"),
            label=Value("", output_field=text),
        )
        .values("kind", "day", "at", "rp", "ref", "label")
    )
    return collections.union(deposits, all=True).order_by("-day", "-at")


def may_record_deposit(user: User, agent: Agent) -> bool:
    return user.role in RECORDS_DEPOSITS and agents_for(user).filter(pk=agent.pk).exists()


def deposit_record(
    *,
    by: User,
    agent: Agent,
    amount: int,
    deposited_on: dt.date,
    reference: str,
    submission_token: uuid.UUID | None = None,
) -> Deposit:
    """Record cash an agent handed over, in one transaction; idempotent on the form's token.
    Only the agent's coordinator, Dinas of their regency or an admin may; never more than the
    agent holds, never dated in the future or before the agent's first collection."""
    if not may_record_deposit(by, agent):
        raise PermissionDenied("Hanya koordinator BPP penyuluh ini, Dinas atau admin yang dapat mencatat setoran.")
    reference = reference.strip()
    today = timezone.localdate()
    with transaction.atomic():
        # One deposit of an agent at a time: two coordinators cannot both take the same balance,
        # and a double tap waits here for the first, then finds it by its token.
        Agent.objects.select_for_update().get(pk=agent.pk)
        if submission_token and (earlier := Deposit.objects.filter(submission_token=submission_token).first()):
            return earlier
        (cash,) = agent_cash(Agent.objects.filter(pk=agent.pk), today=today)
        first = Payment.objects.filter(recorded_by=agent.user_id, source=FundSource.MANDIRI).order_by("paid_at").first()
        errors: dict[str, str] = {}
        if amount <= 0:
            errors["amount"] = "Jumlah setoran harus lebih dari Rp 0."
        elif cash.balance <= 0:
            errors["amount"] = "Penyuluh ini tidak sedang memegang uang iuran."
        elif amount > cash.balance:
            errors["amount"] = f"Lebih dari uang yang dipegang penyuluh ini ({rupiah(cash.balance)})."
        if deposited_on > today:
            errors["deposited_on"] = "Tanggal setor tidak boleh di masa depan."
        elif first is not None and deposited_on < (first_day := timezone.localdate(first.paid_at)):
            errors["deposited_on"] = f"Tanggal setor tidak boleh sebelum iuran pertama diterima ({tanggal(first_day)})."
        if not reference:
            errors["reference"] = "Tulis nomor slip atau bukti setor."
        elif Deposit.objects.filter(agent=agent, reference__iexact=reference).exists():  # SLIP-1 is slip-1
            errors["reference"] = REFERENCE_USED
        if errors:
            raise ValidationError(errors)
        try:
            with transaction.atomic():
                return Deposit.objects.create(
                    agent=agent,
                    amount=amount,
                    deposited_on=deposited_on,
                    reference=reference,
                    recorded_by=by,
                    submission_token=submission_token,
                )
        except IntegrityError:
            # The agent's lock and the check above should get here first; the constraint is the
            # last word for any writer that skips them.
            raise ValidationError({"reference": REFERENCE_USED}) from None
