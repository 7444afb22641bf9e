"""*Catatan monev*: who may write them, for what, how text is kept, and that a double tap saves once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from accounts.models import Role, User
from monitoring.models import MeetingNote
from monitoring.notes import note_write, notes_for
from tests.conftest import MARIORIWAWO_VILLAGE, OTHER_LALABATA_VILLAGE, UMPUNGENG
from wilayah.loader import load_wilayah
from wilayah.models import Bpp, Region

JULY, AUGUST = dt.date(2025, 7, 1), dt.date(2025, 8, 1)


@pytest.fixture
def lalabata(soppeng) -> Region:
    return Region.objects.get(code="73.12.04")


@pytest.fixture
def marioriwawo(soppeng) -> Region:
    return Region.objects.get(code="73.12.01")


@pytest.fixture
def other_koordinator(soppeng) -> User:
    return User.objects.create(
        username="koordinator.mario", role=Role.KOORDINATOR, bpp=Bpp.objects.get(kecamatan_id="73.12.01")
    )


@pytest.fixture
def makassar_dinas(soppeng) -> User:
    load_wilayah(regency_codes=["73.71"])
    return User.objects.create(username="dinas.makassar", role=Role.DINAS, regency=Region.objects.get(code="73.71"))


def url(**query) -> str:
    return reverse("monitoring:notes") + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_koordinator_writes_a_note_for_an_agent_and_a_desa_of_their_kecamatan(
    koordinator_user, agent_user, lalabata
):
    note = note_write(
        by=koordinator_user,
        month=dt.date(2025, 8, 17),
        kecamatan=lalabata,
        agent=agent_user.agent,
        village=Region.objects.get(code=UMPUNGENG),
        problem="  Banyak  petani\tbelum bayar\n",
        follow_up="Cafe\u0301 tani dikunjungi",  # decomposed é, as some phones type it
    )
    note.refresh_from_db()
    assert note.month == AUGUST and note.written_by == koordinator_user
    assert note.problem == "Banyak petani belum bayar" and note.follow_up == "Caf\u00e9 tani dikunjungi"


def test_hidden_characters_empty_or_overlong_text_is_refused_at_its_field(koordinator_user, lalabata):
    for problem, follow_up, field in (
        ("Belum\u200bbayar", "", "problem"),  # a zero-width space pasted from a chat
        ("Belum bayar", "Kunjungi \u202eIRATEP", "follow_up"),  # a right-to-left override
        ("   ", "", "problem"),
        ("x" * 501, "", "problem"),
        ("Belum bayar\x00", "", "problem"),
    ):
        with pytest.raises(ValidationError) as caught:
            note_write(by=koordinator_user, month=AUGUST, kecamatan=lalabata, problem=problem, follow_up=follow_up)
        assert field in caught.value.message_dict
    assert not MeetingNote.objects.exists()


def test_an_agent_or_desa_of_another_kecamatan_is_refused(koordinator_user, other_agent_user, lalabata):
    with pytest.raises(ValidationError) as caught:
        note_write(
            by=koordinator_user,
            month=AUGUST,
            kecamatan=lalabata,
            agent=other_agent_user.agent,
            village=Region.objects.get(code=MARIORIWAWO_VILLAGE),
            problem="Belum bayar",
        )
    assert set(caught.value.message_dict) == {"agent", "village"}
    with pytest.raises(ValidationError):
        note_write(by=koordinator_user, month=dt.date(2099, 1, 1), kecamatan=lalabata, problem="Belum bayar")
    assert not MeetingNote.objects.exists()


def test_only_the_kecamatans_koordinator_its_dinas_or_an_admin_may_write(
    koordinator_user, dinas_user, admin_user, agent_user, other_koordinator, makassar_dinas, lalabata
):
    for user in (other_koordinator, makassar_dinas, agent_user):
        with pytest.raises(PermissionDenied):
            note_write(by=user, month=AUGUST, kecamatan=lalabata, problem="Belum bayar")
    for user in (koordinator_user, dinas_user, admin_user):
        note_write(by=user, month=AUGUST, kecamatan=lalabata, problem="Belum bayar")
    assert MeetingNote.objects.count() == 3


def test_the_same_note_sent_twice_is_saved_once(koordinator_user, lalabata):
    first = note_write(by=koordinator_user, month=AUGUST, kecamatan=lalabata, problem="Belum bayar", follow_up="X")
    again = note_write(by=koordinator_user, month=AUGUST, kecamatan=lalabata, problem="Belum  bayar ", follow_up="X")
    assert again.pk == first.pk and MeetingNote.objects.count() == 1
    note_write(by=koordinator_user, month=AUGUST, kecamatan=lalabata, problem="Belum bayar", follow_up="Y")
    assert MeetingNote.objects.count() == 2  # another follow-up is another note


@pytest.mark.django_db(transaction=True)
def test_a_double_tap_arriving_at_the_same_moment_saves_once(koordinator_user, lalabata):
    barrier = threading.Barrier(2)
    saved: list[int] = []

    def tap() -> None:
        try:
            barrier.wait()
            saved.append(note_write(by=koordinator_user, month=AUGUST, kecamatan=lalabata, problem="Belum bayar").pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(saved) == 2 and len(set(saved)) == 1 and MeetingNote.objects.count() == 1


def test_a_months_notes_come_with_the_month_befores_and_stay_in_scope(
    koordinator_user, dinas_user, other_koordinator, makassar_dinas, lalabata, marioriwawo
):
    june = note_write(by=dinas_user, month=dt.date(2025, 6, 1), kecamatan=lalabata, problem="Juni")
    july = note_write(by=koordinator_user, month=JULY, kecamatan=lalabata, problem="Juli")
    august = note_write(by=koordinator_user, month=AUGUST, kecamatan=lalabata, problem="Agustus")
    elsewhere = note_write(by=other_koordinator, month=AUGUST, kecamatan=marioriwawo, problem="Mario")

    groups = notes_for(koordinator_user, month=AUGUST, kecamatan=lalabata)
    assert [(g.month, g.notes) for g in groups] == [(AUGUST, [august]), (JULY, [july])]
    assert june not in groups[0].notes + groups[1].notes
    # Asking for someone else's kecamatan finds nothing of it.
    assert notes_for(koordinator_user, month=AUGUST, kecamatan=marioriwawo)[0].notes == []
    # Dinas over the whole district: every kecamatan of theirs; another regency's Dinas: none.
    assert set(notes_for(dinas_user, month=AUGUST, kecamatan=None)[0].notes) == {august, elsewhere}
    assert all(not g.notes for g in notes_for(makassar_dinas, month=AUGUST, kecamatan=None))


def test_the_page_lists_the_notes_and_offers_the_form_to_its_koordinator(client, koordinator_user, lalabata):
    note_write(by=koordinator_user, month=JULY, kecamatan=lalabata, problem="<script>alert(1)</script> & co")
    client.force_login(koordinator_user)
    page = client.get(url(bulan="2025-08")).content.decode()
    assert page.count("<h1>") == 1 and "Juli 2025" in page and "Agustus 2025" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page and "<script>alert(1)" not in page
    assert 'name="problem"' in page and "Simpan catatan" in page


def test_dinas_over_the_district_reads_but_writes_only_once_a_kecamatan_is_chosen(client, dinas_user, lalabata):
    client.force_login(dinas_user)
    page = client.get(url(bulan="2025-08")).content.decode()
    assert "Pilih satu kecamatan" in page and 'name="problem"' not in page
    assert client.post(url(bulan="2025-08"), {"problem": "Belum bayar"}).status_code == 403
    page = client.get(url(bulan="2025-08", kecamatan="73.12.04")).content.decode()
    assert 'name="problem"' in page


def test_a_post_with_htmx_returns_the_list_with_the_new_note_and_a_double_tap_saves_once(
    client, koordinator_user, agent_user
):
    client.force_login(koordinator_user)
    data = {"agent": agent_user.agent.code, "village": UMPUNGENG, "problem": "Belum bayar", "follow_up": "Kunjungi"}
    for _ in range(2):
        response = client.post(url(bulan="2025-08"), data, headers={"HX-Request": "true"})
        fragment = response.content.decode()
        assert response.status_code == 200 and fragment.lstrip().startswith('<section id="catatan-monev"')
        assert "Catatan monev disimpan" in fragment and "Belum bayar" in fragment and "<html" not in fragment
    note = MeetingNote.objects.get()
    assert (note.month, note.agent, note.village_id, note.kecamatan_id) == (
        AUGUST,
        agent_user.agent,
        UMPUNGENG,
        "73.12.04",
    )


def test_a_post_without_htmx_redirects_back_to_the_same_month_and_area(client, koordinator_user):
    client.force_login(koordinator_user)
    response = client.post(url(bulan="2025-08"), {"problem": "Belum bayar"})
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:notes") + "?bulan=2025-08&kecamatan=73.12.04"
    assert MeetingNote.objects.get().month == AUGUST


def test_bad_input_is_said_at_the_field_and_nothing_is_saved(client, koordinator_user, other_agent_user):
    client.force_login(koordinator_user)
    for data in (
        {"problem": "Belum\u200bbayar"},
        {"problem": ""},
        {"problem": "Belum bayar", "agent": other_agent_user.agent.code},  # not offered: another BPP's agent
        {"problem": "Belum bayar", "village": MARIORIWAWO_VILLAGE},
    ):
        response = client.post(url(bulan="2025-08"), data, headers={"HX-Request": "true"})
        assert response.status_code == 200 and 'class="error"' in response.content.decode()
    response = client.post(url(bulan="2025-13"), {"problem": "Belum bayar"})
    assert response.status_code == 200 and "Bulan tidak dikenal" in response.content.decode()
    assert not MeetingNote.objects.exists()


def test_another_kecamatans_koordinator_gets_404_and_agents_403(
    client, agent_user, other_koordinator, neighbour_agent_user
):
    client.force_login(other_koordinator)
    assert client.get(url(kecamatan="73.12.04")).status_code == 404
    assert client.post(url(kecamatan="73.12.04"), {"problem": "Belum bayar"}).status_code == 404
    assert client.get(url(desa=OTHER_LALABATA_VILLAGE)).status_code == 404
    client.force_login(agent_user)
    assert client.get(url()).status_code == 403
    assert client.post(url(), {"problem": "Belum bayar"}).status_code == 403
    assert not MeetingNote.objects.exists()
