"""The claims lists: each role sees its own area's claims, the held-up ones marked, and totals that add up."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from claims.models import Claim, ClaimKind, ClaimStatus
from claims.selectors import STUCK_DAYS, claim_for_user, claim_totals, claims_for, open_claims
from enrollment.models import Farmer
from wilayah.loader import load_wilayah
from wilayah.models import Region

URL = reverse("claims:claim_list")
WITA = ZoneInfo("Asia/Makassar")


def make_claim(
    farmer,
    *,
    kind: str = ClaimKind.JKK,
    status: str = ClaimStatus.DILAPORKAN,
    in_status: dt.timedelta = dt.timedelta(0),
    paid_amount: int | None = None,
    created_at: dt.datetime | None = None,
) -> Claim:
    claim = Claim.objects.create(
        farmer=farmer,
        village_id=farmer.village_id,
        kind=kind,
        incident_date=dt.date(2025, 3, 1),
        place="Sawah",
        description="Terjatuh dari pematang sawah",
        reporter_name="ANDI BASO",
        reporter_relation="SUAMI",
        reporter_phone="081234567891",
        reported_by=farmer.registered_by,
        status=status,
        paid_amount=paid_amount,
    )
    # Both are auto_now_add: set as they would have been written on those days.
    now = timezone.now()
    Claim.objects.filter(pk=claim.pk).update(status_since=now - in_status, created_at=created_at or now - in_status)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def makassar_dinas(soppeng) -> User:
    load_wilayah(regency_codes=["73.71"])
    return User.objects.create(username="dinas.makassar", role=Role.DINAS, regency=Region.objects.get(code="73.71"))


@pytest.fixture
def area(agent_user, neighbour_agent_user, other_agent_user, make_farmer) -> dict[str, Claim]:
    """One claim in agent_user's desa, one in the neighbouring desa (same kecamatan), one in Marioriwawo."""
    return {
        "mine": make_claim(make_farmer(agent_user, serial=1, name="HASNAH")),
        "neighbour": make_claim(make_farmer(neighbour_agent_user, serial=2, name="BUNGA"), kind=ClaimKind.JKM),
        "far": make_claim(make_farmer(other_agent_user, serial=3, name="SITTI")),
    }


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("agent_user", {"mine"}),
        ("neighbour_agent_user", {"neighbour"}),
        ("other_agent_user", {"far"}),
        ("koordinator_user", {"mine", "neighbour"}),
        ("dinas_user", {"mine", "neighbour", "far"}),
        ("admin_user", {"mine", "neighbour", "far"}),
        ("makassar_dinas", set()),
    ],
)
def test_each_role_sees_the_claims_of_its_own_area_only(request, area, who, sees):
    user = request.getfixturevalue(who)
    assert set(claims_for(user)) == {area[name] for name in sees}


def test_a_claim_outside_the_area_answers_404_like_one_that_does_not_exist(
    area, agent_user, koordinator_user, makassar_dinas
):
    assert claim_for_user(agent_user, area["mine"].pk) == area["mine"]
    for user, claim in (
        (agent_user, area["neighbour"]),
        (koordinator_user, area["far"]),
        (makassar_dinas, area["mine"]),
    ):
        with pytest.raises(Http404):
            claim_for_user(user, claim.pk)
    with pytest.raises(Http404):
        claim_for_user(agent_user, max(c.pk for c in area.values()) + 1)


def test_a_claim_is_held_up_after_more_than_fourteen_whole_days_in_one_status(agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    days = dt.timedelta(days=1)
    fifteen = make_claim(farmer, in_status=15 * days)
    fourteen = make_claim(farmer, in_status=14 * days)
    almost_fifteen = make_claim(farmer, in_status=15 * days - dt.timedelta(minutes=5))
    rows = {c.pk: c for c in open_claims(claims_for(agent_user), now=timezone.now())}
    assert STUCK_DAYS == 14
    assert (rows[fifteen.pk].stuck, rows[fifteen.pk].age.days) == (True, 15)
    assert (rows[fourteen.pk].stuck, rows[fourteen.pk].age.days) == (False, 14)
    assert (rows[almost_fifteen.pk].stuck, rows[almost_fifteen.pk].age.days) == (False, 14)


def test_open_claims_leave_out_final_ones_and_go_by_workflow_then_longest_waiting(agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    days = dt.timedelta(days=1)
    submitted_old = make_claim(farmer, status=ClaimStatus.DIAJUKAN, in_status=30 * days)
    reported_new = make_claim(farmer, in_status=1 * days)
    reported_old = make_claim(farmer, in_status=20 * days)
    verified = make_claim(farmer, status=ClaimStatus.VERIFIKASI, in_status=2 * days)
    make_claim(farmer, status=ClaimStatus.DIBAYAR, in_status=40 * days, paid_amount=1_000_000)
    make_claim(farmer, status=ClaimStatus.DITOLAK, in_status=40 * days)
    ordered = list(open_claims(claims_for(agent_user), now=timezone.now()))
    assert ordered == [reported_old, reported_new, submitted_old, verified]


def test_totals_match_the_raw_rows_per_kind_kecamatan_and_month(
    dinas_user, koordinator_user, agent_user, other_agent_user, make_farmer, django_assert_num_queries
):
    lalabata = make_farmer(agent_user, serial=1)
    marioriwawo = make_farmer(other_agent_user, serial=2)
    at = dt.datetime
    # The last evening of March in Soppeng is already April in WITA: 31 March 17:00 UTC is 1 April 01:00.
    rows = [
        (lalabata, ClaimKind.JKK, ClaimStatus.DIBAYAR, 5_000_000, at(2025, 3, 31, 17, 0, tzinfo=dt.UTC)),
        (lalabata, ClaimKind.JKK, ClaimStatus.DIBAYAR, 2_500_000, at(2025, 3, 31, 15, 0, tzinfo=dt.UTC)),
        (lalabata, ClaimKind.JKM, ClaimStatus.DIBAYAR, 42_000_000, at(2025, 4, 10, 2, 0, tzinfo=dt.UTC)),
        (lalabata, ClaimKind.JKM, ClaimStatus.DITOLAK, None, at(2025, 4, 11, 2, 0, tzinfo=dt.UTC)),
        (lalabata, ClaimKind.JKK, ClaimStatus.VERIFIKASI, None, at(2025, 5, 2, 2, 0, tzinfo=dt.UTC)),
        (marioriwawo, ClaimKind.JKK, ClaimStatus.DIBAYAR, 1_200_000, at(2025, 5, 3, 2, 0, tzinfo=dt.UTC)),
        (marioriwawo, ClaimKind.JKM, ClaimStatus.DILAPORKAN, None, at(2025, 2, 3, 2, 0, tzinfo=dt.UTC)),
        # An amount on a claim not (yet) paid is not money paid out.
        (marioriwawo, ClaimKind.JKM, ClaimStatus.DISETUJUI, 42_000_000, at(2025, 5, 4, 2, 0, tzinfo=dt.UTC)),
    ]
    for farmer, kind, status, amount, created in rows:
        make_claim(farmer, kind=kind, status=status, paid_amount=amount, created_at=created)

    def expected(user: User) -> dict[str, dict]:
        groups: dict[str, dict] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
        for c in claims_for(user).select_related("farmer__village__parent"):
            month = timezone.localtime(c.created_at, WITA).date().replace(day=1)
            for axis, key in (("kind", c.kind), ("kecamatan", c.farmer.village.parent.name), ("month", month)):
                figures = groups[axis][key]
                figures[0] += 1
                if c.status == ClaimStatus.DIBAYAR:
                    figures[1] += 1
                    figures[2] += c.paid_amount
        return {axis: {key: tuple(v) for key, v in keys.items()} for axis, keys in groups.items()}

    def computed(user: User) -> dict[str, dict]:
        totals = claim_totals(claims_for(user))
        as_tuple = lambda row: (row["count"], row["paid_count"], row["paid"])  # noqa: E731
        return {
            "kind": {row["kind"]: as_tuple(row) for row in totals.by_kind},
            "kecamatan": {row["label"]: as_tuple(row) for row in totals.by_area},
            "month": {row["month"]: as_tuple(row) for row in totals.by_month},
        }

    for user in (dinas_user, koordinator_user):
        assert computed(user) == expected(user)
    whole = expected(dinas_user)
    assert whole["month"][dt.date(2025, 4, 1)] == (3, 2, 47_000_000)  # the evening of 31 March WITA counts in April
    assert whole["kind"]["JKK"] == (4, 3, 8_700_000)
    assert set(computed(koordinator_user)["kecamatan"]) == {"Lalabata"}

    with django_assert_num_queries(2):  # grouped by the database, however many claims
        totals = claim_totals(claims_for(dinas_user))
    assert totals.overall == {"count": 8, "paid_count": 4, "paid": 50_700_000}
    assert [row["month"] for row in totals.by_month] == sorted(whole["month"], reverse=True)
    statuses = Counter(status for _, _, status, _, _ in rows)
    assert totals.by_status == [(s, label, statuses.get(s, 0)) for s, label in ClaimStatus.choices]


def _move_by_save(farmer: Farmer, village: Region) -> None:
    farmer.village = village  # as Django admin or a correction saves it
    farmer.save()


def _move_by_update(farmer: Farmer, village: Region) -> None:
    Farmer.objects.filter(pk=farmer.pk).update(village=village)


@pytest.mark.parametrize("move", [_move_by_save, _move_by_update])
def test_a_farmers_claims_follow_the_farmer_to_a_corrected_desa(
    move, dinas_user, koordinator_user, agent_user, other_agent_user, make_farmer
):
    """Claims are scoped and totalled by their own copy of the desa: it moves with the farmer's."""
    farmer = make_farmer(agent_user, serial=1)
    stays = make_farmer(agent_user, serial=2, name="BUNGA")
    moved = make_claim(farmer, status=ClaimStatus.DIBAYAR, paid_amount=5_000_000)
    kept = make_claim(stays)
    marioriwawo = other_agent_user.agent.villages.get()

    move(farmer, marioriwawo)

    assert set(claims_for(agent_user)) == set(claims_for(koordinator_user)) == {kept}
    assert set(claims_for(other_agent_user)) == {moved}
    assert claim_for_user(other_agent_user, moved.pk) == moved
    with pytest.raises(Http404):
        claim_for_user(agent_user, moved.pk)
    totals = claim_totals(claims_for(dinas_user))
    by_kecamatan = {row["label"]: (row["count"], row["paid"]) for row in totals.by_area}
    assert by_kecamatan == {"Lalabata": (1, 0), marioriwawo.parent.name: (1, 5_000_000)}


def test_the_list_filters_by_status_and_kind_and_keeps_them_in_the_pager(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    for _ in range(26):
        make_claim(farmer, kind=ClaimKind.JKM)
    make_claim(farmer, kind=ClaimKind.JKK)
    make_claim(farmer, kind=ClaimKind.JKM, status=ClaimStatus.DOKUMEN_LENGKAP)
    client.force_login(agent_user)

    response = client.get(URL, {"status": "DILAPORKAN", "jenis": "JKM"})
    page = response.context["page"]
    assert response.context["count"] == 26 and len(page) == 25
    assert {(c.kind, c.status) for c in page} == {("JKM", "DILAPORKAN")}
    assert f'href="?status=DILAPORKAN&amp;jenis=JKM&amp;setelah={page.last_pk}"' in response.content.decode()
    last = client.get(URL, {"status": "DILAPORKAN", "jenis": "JKM", "setelah": page.last_pk}).context["page"]
    assert len(last) == 1 and not last.has_next and last.object_list[0] not in page.object_list
    assert client.get(URL, {"jenis": "JKK"}).context["count"] == 1
    assert client.get(URL).context["count"] == 28


def test_a_filter_value_typed_by_hand_is_refused_at_its_field_and_ignored(client, agent_user, make_farmer):
    make_claim(make_farmer(agent_user))
    client.force_login(agent_user)
    response = client.get(URL, {"status": "DIBAYAR", "jenis": "<script>"})
    assert response.status_code == 200
    assert response.context["count"] == 1
    html = response.content.decode()
    assert html.count("Pilihan ini tidak dikenal; ditampilkan semua.") == 2
    assert "<script>" not in html


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("agent_user", {"HASNAH"}, {"BUNGA", "SITTI"}),
        ("koordinator_user", {"HASNAH", "BUNGA"}, {"SITTI"}),
        ("dinas_user", {"HASNAH", "BUNGA", "SITTI"}, set()),
        ("admin_user", {"HASNAH", "BUNGA", "SITTI"}, set()),
        ("makassar_dinas", set(), {"HASNAH", "BUNGA", "SITTI"}),
    ],
)
def test_the_page_shows_each_role_its_own_claims_and_totals(client, request, area, who, shown, hidden):
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert all(name in html for name in shown) and not any(name in html for name in hidden)
    assert ("Laporkan klaim dari halaman petani." in html) == (who == "agent_user")
    assert response.context["totals"].overall["count"] == len(shown)
    if not shown:
        assert "Tidak ada klaim yang belum selesai di wilayah Anda." in html


def test_a_held_up_claim_says_so_in_words_and_the_page_counts_them(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    make_claim(farmer, status=ClaimStatus.DIAJUKAN, in_status=dt.timedelta(days=15, hours=3))
    make_claim(farmer, in_status=dt.timedelta(days=3))
    client.force_login(agent_user)
    html = client.get(URL).content.decode()
    assert "1 klaim tertahan lebih dari 14 hari" in html
    assert '<span class="status status-tertahan">Tertahan 15 hari</span>' in html
    assert html.count('<tr class="stuck">') == 1
    assert "3 hari" in html


def test_the_pages_follow_the_workflow_order_without_gaps_or_repeats(client, agent_user, make_farmer):
    farmer = make_farmer(agent_user)
    days = dt.timedelta(days=1)
    made = [
        make_claim(farmer, status=status, in_status=n * days)
        for n in range(20)
        for status in (ClaimStatus.DILAPORKAN, ClaimStatus.DIAJUKAN, ClaimStatus.VERIFIKASI)
    ]
    client.force_login(agent_user)
    seen, query = [], {}
    while True:
        page = client.get(URL, query).context["page"]
        seen += page.object_list
        if not page.has_next:
            break
        query = {"setelah": page.last_pk}
    assert seen == list(open_claims(claims_for(agent_user), now=timezone.now())) and len(seen) == len(made)
    back = client.get(URL, {"sebelum": seen[25].pk}).context["page"]
    assert back.object_list == seen[:25]


@pytest.mark.parametrize("cursor", ["abc", "9" * 40, "²", "-1", "1 OR 1=1"])
def test_a_broken_cursor_opens_the_first_page(client, agent_user, make_farmer, cursor):
    claim = make_claim(make_farmer(agent_user))
    client.force_login(agent_user)
    for name in ("setelah", "sebelum"):
        response = client.get(URL, {name: cursor})
        assert response.status_code == 200 and list(response.context["page"]) == [claim]


def test_a_nul_byte_in_a_cursor_is_refused(client, agent_user):
    client.force_login(agent_user)
    assert client.get(URL, {"setelah": "12\x00"}).status_code == 400


def test_a_cursor_on_a_claim_outside_the_area_opens_the_first_page(client, area, agent_user):
    client.force_login(agent_user)
    page = client.get(URL, {"setelah": area["far"].pk}).context["page"]
    assert list(page) == [area["mine"]]


def test_an_admin_sees_the_claims_totalled_per_regency_and_dinas_per_kecamatan(
    client, area, admin_user, dinas_user, soppeng
):
    client.force_login(admin_user)
    page = client.get(reverse("claims:claim_list")).content.decode()
    assert "<h3>Per kabupaten/kota</h3>" in page and "<h3>Per kecamatan</h3>" not in page
    assert f"<tr><td>{soppeng.name}</td><td class=\"num\">3</td>" in page  # the three claims, one regency

    client.force_login(dinas_user)
    page = client.get(reverse("claims:claim_list")).content.decode()
    assert "<h3>Per kecamatan</h3>" in page and "<h3>Per kabupaten/kota</h3>" not in page
    assert "<tr><td>Lalabata</td><td class=\"num\">2</td>" in page
