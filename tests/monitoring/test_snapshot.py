"""Freezing a month's monev figures: what is frozen, that it is frozen once, and what stays live."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from contributions.services import payment_record
from monitoring.models import Level, Snapshot
from monitoring.monev import Figures, area_figures, monev_snapshot, monev_table
from monitoring.tasks import monev_snapshot_task
from sutasoma.celery import app
from sutasoma.formatting import bulan
from sutasoma.months import add_months, month_start
from tests.monitoring.conftest import LALABATA, at, expected_for
from wilayah.models import Region


def _frozen_rows() -> list[tuple]:
    return [
        (s.pk, s.month, s.level, s.key, json.dumps(s.figures))
        for s in Snapshot.objects.order_by("month", "level", "key")
    ]


def test_the_snapshot_freezes_every_area_of_every_level_as_the_raw_rows_say(monev_month):
    areas = monev_snapshot(monev_month.month)
    soppeng_desa = Region.objects.filter(code__startswith="73.12.", level=Region.Level.DESA).count()
    assert areas == Snapshot.objects.filter(month=monev_month.month).count() == 8 + soppeng_desa + 3
    for snapshot in Snapshot.objects.all():
        figures = Figures.from_json(snapshot.figures)
        assert replace(figures, rank=None) == expected_for(snapshot.level, snapshot.key, monev_month.month)
    ranks = dict(Snapshot.objects.filter(level=Level.KECAMATAN).values_list("key", "figures__rank"))
    assert ranks[LALABATA] == 2 and ranks["73.12.01"] == 1
    umpungeng = Snapshot.objects.get(level=Level.DESA, key="73.12.04.2009")
    assert umpungeng.figures["parent"] == LALABATA


def test_freezing_twice_writes_the_same_rows_byte_for_byte(monev_month):
    monev_snapshot(monev_month.month)
    first = _frozen_rows()
    monev_snapshot(monev_month.month)
    assert _frozen_rows() == first


def test_a_payment_recorded_after_the_snapshot_changes_the_live_figures_only(monev_month):
    soppeng, m, today = Region.objects.get(code="73.12"), monev_month.month, timezone.localdate()
    monev_snapshot(m)
    frozen_before = _frozen_rows()

    # A paper receipt of the month, entered after the 5th: the farmer whose payment BPJS refused pays again.
    late = monev_month.farmers["refused_payment"]
    late.refresh_from_db()
    payment_record(user=late.registered_by, farmer=late, months=1, cash_received=16_800, paid_at=at(m, 28))

    live = next(row for row in area_figures(level=Level.KECAMATAN, within=soppeng, month=m) if row.key == LALABATA)
    assert (live.figures.active, live.figures.collected) == (3, 50_400)
    table = monev_table(level=Level.KECAMATAN, within=soppeng, month=m, today=today)
    assert table.frozen_at is not None
    assert (table.row(LALABATA).figures.active, table.row(LALABATA).figures.collected) == (2, 33_600)
    assert _frozen_rows() == frozen_before


def test_a_past_month_nobody_froze_and_the_current_month_are_live(monev_month):
    soppeng, today = Region.objects.get(code="73.12"), timezone.localdate()
    monev_snapshot(monev_month.month)
    for month in (add_months(monev_month.month, -1), month_start(today)):
        table = monev_table(level=Level.KECAMATAN, within=soppeng, month=month, today=today)
        assert table.frozen_at is None and len(table.rows) == 8


def test_the_current_month_cannot_be_frozen(soppeng):
    with pytest.raises(ValidationError, match="sudah berakhir"):
        monev_snapshot(month_start(timezone.localdate()))
    assert not Snapshot.objects.exists()


def test_the_command_freezes_the_month_just_ended_unless_told_another(monev_month, capsys):
    call_command("monev_snapshot")
    assert set(Snapshot.objects.values_list("month", flat=True)) == {monev_month.month}
    assert f"{bulan(monev_month.month)}: angka" in capsys.readouterr().out
    earlier = add_months(monev_month.month, -1)
    call_command("monev_snapshot", "--bulan", f"{earlier:%Y-%m}")
    assert set(Snapshot.objects.values_list("month", flat=True)) == {monev_month.month, earlier}


@pytest.mark.parametrize("given, message", [("2026-13", "YYYY-MM"), ("Oktober", "YYYY-MM"), ("2999-01", "berakhir")])
def test_the_command_refuses_a_month_it_cannot_freeze(soppeng, given, message):
    with pytest.raises(CommandError, match=message):
        call_command("monev_snapshot", "--bulan", given)
    assert not Snapshot.objects.exists()


def test_the_beat_freezes_the_month_just_ended_at_midnight_wita_on_the_fifth(monev_month):
    entry = settings.CELERY_BEAT_SCHEDULE["monev-snapshot"]
    assert entry["schedule"] == crontab(minute=0, hour=0, day_of_month=5)
    assert settings.CELERY_TIMEZONE == "Asia/Makassar"
    assert entry["task"] in app.tasks
    assert monev_snapshot_task() == Snapshot.objects.filter(month=monev_month.month).count() > 0
