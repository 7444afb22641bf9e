"""The batch path of the import gives what the row-by-row path gave: the same reports, the same
records (heirs and change history too), and one message to the insurer per farmer, across batch
boundaries and when a batch has to fall back to saving row by row."""

from __future__ import annotations

import pytest
from django.db import connection

from audit.models import AccessLog, Action
from bpjs_gateway.models import OutboxMessage
from enrollment import importer
from enrollment.importer import (
    EARLIER_IN_FILE,
    REGISTERED,
    REGISTERED_OUTSIDE,
    ROW_FAILED,
)
from enrollment.insurer import REGISTER
from enrollment.models import Farmer, Heir
from sutasoma.formatting import masked_nik
from tests.enrollment.test_import import BIRTH, reasons_by_line, row, run_import


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of two rows, so that a handful of rows crosses batch boundaries."""
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)


@pytest.fixture
def kicks(monkeypatch) -> list[list[int]]:
    """The Celery kicks of the outbox, one list per on-commit hand-over."""
    handed_over: list[list[int]] = []

    def send_after_commit(ids: list[int]) -> None:
        handed_over.append(list(ids))

    monkeypatch.setattr("bpjs_gateway.queue._send_after_commit", send_after_commit)
    return handed_over


def test_across_batches_each_row_is_reported_as_one_at_a_time_would_be(
    agent_user, other_agent_user, make_farmer, small_batches
):
    mine = make_farmer(agent_user, serial=20, name="SUDAH ADA")
    outsider = make_farmer(other_agent_user, serial=21, name="ORANG LUAR")
    report = run_import(
        agent_user,
        [
            row(1),  # line 2: imported
            row(2, nama="Petani Nomor 1"),  # line 3: imported, looks like line 2, saved in the same batch
            row(3, kode_desa="73.12.04.9999"),  # line 4: unknown desa
            row(1, nama="Lagi"),  # line 5: the NIK of line 2, in the next batch
            row(20),  # line 6: registered in the agent's area
            row(21),  # line 7: registered outside
            row(4, nama="Petani Nomor 1"),  # line 8: looks like lines 2 and 3, both saved by now
            row(5, nama_ahli_waris=""),  # line 9: no heir
        ],
    )

    assert [n.line for n in report.imported] == [2, 3, 8]
    assert [(n.line, n.reason) for n in report.existing] == [
        (5, EARLIER_IN_FILE),
        (6, REGISTERED),
        (7, REGISTERED_OUTSIDE),
    ]
    assert set(reasons_by_line(report)) == {4, 9}
    assert "kode desa 73.12.04.9999 tidak dikenal" in reasons_by_line(report)[4]
    assert "nama_ahli_waris: wajib diisi." in reasons_by_line(report)[9]
    first, second = masked_nik(row(1)["nik"]), masked_nik(row(2)["nik"])
    assert [(w.line, w.reason) for w in report.warnings] == [
        (3, f"Mungkin orang yang sama dengan NIK {first} (nama dan tanggal lahir sama). Periksa."),
        (8, f"Mungkin orang yang sama dengan NIK {first}, {second} (nama dan tanggal lahir sama). Periksa."),
    ]
    assert list(AccessLog.objects.filter(user=agent_user).values_list("action", "subject", "detail")) == [
        (Action.NIK_CHECK, f"petani:{outsider.pk}", "impor baris 7")
    ]
    assert Farmer.objects.filter(registered_by=agent_user).exclude(pk=mine.pk).count() == 3


def test_each_farmer_is_saved_with_its_heir_its_history_and_one_message_handed_over_once(
    agent_user, small_batches, kicks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = run_import(agent_user, [row(1), row(2), row(3)])

    farmers = list(Farmer.objects.order_by("nik"))
    assert [f.nik for f in farmers] == sorted(n.nik for n in report.imported)
    for farmer in farmers:
        [heir] = farmer.heirs.all()
        assert (heir.name, heir.relation) == ("ANDI BASO", "SUAMI")
        assert farmer.registration_status == "MENUNGGU_KPJ" and farmer.agent == agent_user.agent
        assert list(farmer.history.values_list("history_type", "history_user")) == [("+", agent_user.pk)]
        assert list(Heir.history.filter(id=heir.pk).values_list("history_type", "history_user")) == [
            ("+", agent_user.pk)
        ]
        [message] = OutboxMessage.objects.filter(operation=REGISTER, subject_id=farmer.pk)
        assert message.state == "PENDING"
    bodies = {m.subject_id: m for m in OutboxMessage.objects.all()}
    assert len(bodies) == 3
    # One hand-over per batch (of two rows, then one), every message in exactly one of them.
    assert [len(ids) for ids in kicks] == [2, 1]
    assert sorted(i for ids in kicks for i in ids) == sorted(m.pk for m in bodies.values())


def test_the_body_sent_is_the_one_a_single_registration_sends(agent_user):
    run_import(agent_user, [row(1)])
    farmer = Farmer.objects.get()
    message = OutboxMessage.objects.get(subject_id=farmer.pk)
    from bpjs_gateway.queue import encode
    from enrollment.insurer import registration_body

    assert bytes(message.body) == encode(registration_body(farmer))
    assert registration_body(farmer)["ahli_waris"] == [{"nama": "ANDI BASO", "hubungan": "SUAMI", "nik": None}]


def test_a_nik_registered_after_the_batch_was_checked_is_told_on_its_line_and_the_others_saved(
    agent_user, make_farmer, monkeypatch
):
    make_farmer(agent_user, serial=2, name="DI WILAYAH")
    monkeypatch.setattr(importer, "_registered_niks", lambda user, rows: {})  # as if saved a moment later

    report = run_import(agent_user, [row(1), row(2), row(3)])

    assert [n.line for n in report.imported] == [2, 4]
    assert [(n.line, n.reason) for n in report.existing] == [(3, REGISTERED)]
    assert Farmer.objects.count() == 3
    assert OutboxMessage.objects.count() == 3


def test_a_batch_that_fails_to_save_loses_no_row_and_half_saves_none(agent_user, monkeypatch):
    def fails(*, user, registrations):
        Farmer.objects.bulk_create([])  # nothing; then the database refuses
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")

    monkeypatch.setattr(importer.services, "farmers_register_new", fails)
    report = run_import(agent_user, [row(1), row(2)])
    assert [n.line for n in report.imported] == [2, 3]
    assert report.rejected == []
    assert Farmer.objects.count() == 2 and Heir.objects.count() == 2 and OutboxMessage.objects.count() == 2


def test_a_batch_asks_the_database_a_fixed_number_of_questions_not_some_per_row(
    agent_user, django_assert_max_num_queries
):
    rows = [row(serial) for serial in range(1, 121)]
    with django_assert_max_num_queries(30):
        report = run_import(agent_user, rows)
    assert len(report.imported) == 120


def test_a_dry_run_of_a_batch_writes_nothing(agent_user, small_batches):
    report = run_import(agent_user, [row(1), row(2, nama="Petani Nomor 1"), row(3)], dry_run=True)
    assert [n.line for n in report.imported] == [2, 3, 4]
    assert [w.line for w in report.warnings] == [3]
    assert not Farmer.objects.exists() and not OutboxMessage.objects.exists()


def test_an_unexpected_error_while_saving_one_row_alone_is_reported_on_that_row(agent_user, monkeypatch):
    register = importer.services.farmer_register

    def fails_for_two(*, user, registration):
        if registration.fields["name"] == "PETANI NOMOR 2":
            raise RuntimeError("tak terduga")
        return register(user=user, registration=registration)

    def batch_fails(*, user, registrations):
        raise RuntimeError("kelompok gagal")

    monkeypatch.setattr(importer.services, "farmer_register", fails_for_two)
    monkeypatch.setattr(importer.services, "farmers_register_new", batch_fails)
    report = run_import(agent_user, [row(1), row(2), row(3)])
    assert [n.line for n in report.imported] == [2, 4]
    assert reasons_by_line(report) == {3: ROW_FAILED}


def test_birth_dates_as_written_or_as_dates_find_the_same_duplicates(agent_user, make_farmer):
    make_farmer(agent_user, serial=9, name="PETANI NOMOR 1")
    report = run_import(agent_user, [row(1, tanggal_lahir=BIRTH.strftime("%d-%m-%Y"))])
    [warning] = report.warnings
    assert masked_nik(row(9)["nik"]) in warning.reason
