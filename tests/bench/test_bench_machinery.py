"""`make bench` itself, at a few hundred farmers: the pages of every role come back with their SQL
floor and ratio, and the load scenario's agents really register and pay. It times nothing: speed
is what `make bench` reports, not what a test asserts."""

from __future__ import annotations

import pytest
from django.db import connection

from bench import load, pages
from bench.data import ensure_farmers
from bench.load import run_load
from bench.pages import measure_pages
from bench.server import gunicorn
from bench.users import bench_accounts

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FIGURES = {"p50_ms", "p95_ms", "floor_p50_ms", "floor_p95_ms", "ratio_p50", "ratio_p95", "queries", "samples"}
BESIDE_FIXED = {"fixed_p50_ms", "fixed_p95_ms", "ratio_fixed_p50", "ratio_fixed_p95"}


@pytest.fixture
def bench_server(soppeng, monkeypatch, tmp_path):
    """gunicorn on the test database, with 300 farmers and the bench's accounts."""
    db = connection.settings_dict
    monkeypatch.setenv("DATABASE_URL", f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "sutasoma.settings_test")
    monkeypatch.setenv("PRIVATE_MEDIA_ROOT", str(tmp_path / "media"))
    ensure_farmers(300)
    accounts = bench_accounts()
    with gunicorn(tmp_path / "gunicorn.log") as server:
        yield server.base_url, accounts


def test_every_role_gets_its_pages_beside_their_sql_floor(bench_server, monkeypatch):
    monkeypatch.setattr(pages, "REPEAT", 2)
    base_url, accounts = bench_server

    measured_all = measure_pages(base_url, accounts)
    results = measured_all["pages"]

    assert set(results) == {"admin", "dinas", "koordinator", "penyuluh"}
    for role, measured in results.items():
        for name in ("home", "farmer_list", "search_nik", "search_kpj", "search_name", "last_page", "farmer_detail"):
            assert set(measured[name]) >= FIGURES | BESIDE_FIXED, (role, name)
            assert measured[name]["ratio_p95"] > 0 and measured[name]["queries"] > 0, (role, name)
    assert "gateway" in results["admin"] and "gateway" not in results["dinas"]
    assert results["penyuluh"]["monev_dashboard"] == {"path": "/monev/", "status": 403}
    assert results["penyuluh"]["register_form"]["ratio_p50"] > 0


def test_the_fixed_cost_is_the_smallest_signed_in_page_less_its_session_and_user(bench_server, monkeypatch):
    monkeypatch.setattr(pages, "REPEAT", 2)
    base_url, accounts = bench_server

    fixed = measure_pages(base_url, {"admin": accounts["admin"]})["fixed"]

    assert fixed["queries"] == 2 and fixed["path"] == "/iuran/"
    assert fixed["samples"] == pages.FIXED_SAMPLES * 2
    assert fixed["fixed_p50_ms"] == round(max(fixed["p50_ms"] - fixed["floor_p50_ms"], 0), 1)


def test_a_fixed_page_that_runs_a_query_of_its_own_stops_the_bench(bench_server, monkeypatch):
    base_url, accounts = bench_server
    monkeypatch.setattr(pages, "FIXED", pages.Page("fixed", "/petani/"))

    with pytest.raises(SystemExit, match="only the session and the user"):
        measure_pages(base_url, {"admin": accounts["admin"]})


def test_the_load_scenario_registers_and_pays_without_an_error(bench_server, monkeypatch, tmp_path):
    from contributions.models import Payment
    from enrollment.models import Farmer

    monkeypatch.setattr(load, "DURATION_S", 20)
    base_url, accounts = bench_server
    farmers, payments = Farmer.objects.count(), Payment.objects.count()

    # Fewer users than `make bench`: what is checked here is the scenario, on a machine that may be busy.
    result = run_load(
        base_url, {"penyuluh": accounts["penyuluh"][:10], "koordinator": accounts["koordinator"][:2]}, tmp_path
    )

    assert result["failures"] == 0, result["failure_reasons"]
    assert {"requests", "p50_ms", "p95_ms", "by_request"} <= set(result)
    assert result["requests"] > 0
    # Every registration and payment Locust saw succeed is in the database (one in flight at the stop may be too).
    made = {name: row["requests"] for name, row in result["by_request"].items()}
    assert Farmer.objects.count() - farmers >= made.get("register", 0)
    assert Payment.objects.count() - payments >= made.get("pay", 0)
