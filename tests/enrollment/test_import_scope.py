"""What an import tells an agent about farmers outside their area: that a NIK or a name and birth
date is taken there, never whose, each time logged and within the per-user limit."""

from __future__ import annotations

import pytest

from audit.models import AccessLog, Action
from enrollment import importer, services
from enrollment.importer import DUPLICATE_OUTSIDE, LIMIT_REACHED, REGISTERED, REGISTERED_OUTSIDE
from enrollment.models import Farmer
from sutasoma.formatting import masked_nik
from tests.enrollment.test_import import reasons_by_line, row, run_import

# make_farmer's farmer: HASNAH, born 5 Jan 1990, NIK serial 0001.


@pytest.fixture
def outsider(other_agent_user, make_farmer) -> Farmer:
    """A farmer of another kecamatan (Marioriwawo), out of agent_user's scope."""
    return make_farmer(other_agent_user, serial=1)


def logs(user, action=None) -> list[tuple[str, str, str]]:
    entries = AccessLog.objects.filter(user=user).order_by("id")
    if action:
        entries = entries.filter(action=action)
    return list(entries.values_list("action", "subject", "detail"))


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_nik_registered_outside_the_area_is_told_as_such_and_logged(agent_user, outsider, dry_run):
    report = run_import(agent_user, [row(2), row(1)], dry_run=dry_run)

    assert [(n.line, n.reason) for n in report.existing] == [(3, REGISTERED_OUTSIDE)]
    assert [n.line for n in report.imported] == [2]
    assert logs(agent_user) == [(Action.NIK_CHECK, f"petani:{outsider.pk}", "impor baris 3")]


def test_a_nik_registered_in_the_area_is_existing_without_a_log_entry(agent_user, make_farmer):
    make_farmer(agent_user, serial=1)
    report = run_import(agent_user, [row(1)])
    assert [(n.line, n.reason) for n in report.existing] == [(2, REGISTERED)]
    assert logs(agent_user) == []


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_likely_duplicate_outside_the_area_is_hinted_at_without_its_nik(agent_user, outsider, dry_run):
    report = run_import(agent_user, [row(2, nama="Hasnah")], dry_run=dry_run)

    assert [n.line for n in report.imported] == [2]
    [warning] = report.warnings
    assert warning.reason == DUPLICATE_OUTSIDE  # no NIK, not even masked
    assert logs(agent_user) == [(Action.DUPLICATE_CHECK, f"petani:{outsider.pk}", "impor baris 2")]
    assert Farmer.objects.filter(nik=row(2)["nik"]).exists() is not dry_run


def test_a_duplicate_in_the_area_is_named_and_one_outside_only_hinted_at(
    agent_user, other_agent_user, make_farmer, outsider
):
    mine = make_farmer(agent_user, serial=3)
    report = run_import(agent_user, [row(2, nama="HASNAH")])

    [warning] = report.warnings
    assert f"Mungkin orang yang sama dengan NIK {masked_nik(mine.nik)} (nama dan tanggal lahir sama)." in warning.reason
    assert DUPLICATE_OUTSIDE in warning.reason
    assert masked_nik(outsider.nik) not in warning.reason
    assert logs(agent_user) == [(Action.DUPLICATE_CHECK, f"petani:{outsider.pk}", "impor baris 2")]


def test_once_the_limit_is_reached_every_later_row_is_refused_alike(
    agent_user, other_agent_user, make_farmer, settings
):
    settings.LOOKUP_LIMIT = 2
    outside = [make_farmer(other_agent_user, serial=s, name=f"ORANG LUAR {s}") for s in (1, 2, 3)]
    make_farmer(agent_user, serial=4, name="ORANG DALAM")

    report = run_import(
        agent_user,
        [
            row(1),  # line 2: outside, logged
            row(2),  # line 3: outside, logged; the limit is now reached
            row(3),  # line 4: outside, refused
            row(4),  # line 5: in the agent's own area, refused alike
            row(5),  # line 6: nobody's, refused alike (else its import would tell line 4 matched)
        ],
    )

    assert [(n.line, n.reason) for n in report.existing] == [(2, REGISTERED_OUTSIDE), (3, REGISTERED_OUTSIDE)]
    assert reasons_by_line(report) == {4: LIMIT_REACHED, 5: LIMIT_REACHED, 6: LIMIT_REACHED}
    assert report.imported == []
    assert logs(agent_user) == [
        (Action.NIK_CHECK, f"petani:{outside[0].pk}", "impor baris 2"),
        (Action.NIK_CHECK, f"petani:{outside[1].pk}", "impor baris 3"),
    ]


def test_once_the_limit_is_reached_a_likely_duplicate_outside_is_refused_and_not_saved(agent_user, outsider, settings):
    settings.LOOKUP_LIMIT = 1
    report = run_import(agent_user, [row(2, nama="Hasnah"), row(3, nama="hasnah"), row(4)])

    assert [n.line for n in report.imported] == [2]
    assert [w.reason for w in report.warnings] == [DUPLICATE_OUTSIDE]
    assert reasons_by_line(report) == {3: LIMIT_REACHED, 4: LIMIT_REACHED}
    assert not Farmer.objects.filter(nik=row(3)["nik"]).exists()
    assert len(logs(agent_user, Action.DUPLICATE_CHECK)) == 1


def test_the_limit_of_nik_checks_counts_checks_made_elsewhere(agent_user, outsider, settings):
    settings.LOOKUP_LIMIT = 1
    AccessLog.objects.create(user=agent_user, action=Action.NIK_CHECK, subject="petani:0", detail="halaman daftar")
    report = run_import(agent_user, [row(1)])
    assert reasons_by_line(report) == {2: LIMIT_REACHED}
    assert report.existing == []


def test_the_same_nik_twice_is_checked_once(agent_user, outsider):
    report = run_import(agent_user, [row(1), row(1, nama="Orang Lain")])
    assert [n.line for n in report.existing] == [2, 3]
    assert len(logs(agent_user)) == 1


def test_a_nik_registered_outside_after_the_first_check_goes_through_the_same_policy(
    agent_user, outsider, monkeypatch, settings
):
    # As if the farmer were saved elsewhere between the check of the whole file and this row.
    monkeypatch.setattr(importer, "_registered_niks", lambda user, rows: {})
    report = run_import(agent_user, [row(1)])
    assert [(n.line, n.reason) for n in report.existing] == [(2, REGISTERED_OUTSIDE)]
    assert logs(agent_user) == [(Action.NIK_CHECK, f"petani:{outsider.pk}", "impor baris 2")]

    settings.LOOKUP_LIMIT = 1
    report = run_import(agent_user, [row(1)])
    assert reasons_by_line(report) == {2: LIMIT_REACHED}


def test_a_nik_saved_outside_at_the_moment_of_saving_goes_through_the_same_policy(agent_user, outsider, monkeypatch):
    # Both checks before saving miss it: another agent's insert wins the race.
    monkeypatch.setattr(importer, "_registered_niks", lambda user, rows: {})
    monkeypatch.setattr(importer.FarmerForm, "clean_nik", lambda form: form.cleaned_data["nik"])
    monkeypatch.setattr(importer.FarmerForm, "validate_unique", lambda form: None)

    def saved_elsewhere_first(*, user, registration):
        raise services.NikAlreadyRegistered(outsider)

    monkeypatch.setattr(importer.services, "farmer_register", saved_elsewhere_first)

    report = run_import(agent_user, [row(1)])

    assert [(n.line, n.reason) for n in report.existing] == [(2, REGISTERED_OUTSIDE)]
    assert logs(agent_user) == [(Action.NIK_CHECK, f"petani:{outsider.pk}", "impor baris 2")]
