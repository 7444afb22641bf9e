"""Pages per role through gunicorn, each beside its SQL floor: the statements the same page runs,
captured in-process and executed bare through psycopg in the same run. The ratio page / floor is
the figure that matters: near 1 the page is as fast as its SQL, far above it the time goes to
Python, templates or the number of round trips.

Every page also pays a fixed cost that no query of its own explains: HTTP through gunicorn, the
middleware, the session and user, the page frame (header and menu). It is measured in each run on
the smallest signed-in page, whose only SQL is the session and the user, and reported beside every
floor: a page whose time is about its floor plus that fixed cost (`ratio_fixed` near 1) costs what
any Django page costs, one well above it spends the difference in its own Python or templates.

A floor is the SQL only; it runs inside a transaction that is rolled back, so the writes a page
makes (its session, an access log entry for a NIK search) are timed but not kept.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import requests
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from bench.stats import ratio, summary
from bench.users import Account
from enrollment.selectors import farmers_for
from enrollment.views import LIST_ORDER, PAGE_SIZE

REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
PAGE_BUDGET_S = float(os.environ.get("BENCH_PAGE_BUDGET_S", "20"))  # a slower page gets fewer samples, at least 3
TIMEOUT_S = 120
NAME_QUERY = os.environ.get("BENCH_NAME_QUERY", "siti")
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    form: dict[str, str] | None = None  # sent by POST when set (a whole NIK never goes into a URL)


# The admin's Iuran page is a list of links: its SQL is the session and the user and nothing else
# (checked on every run, so a query added to it cannot pass unnoticed as "fixed").
FIXED = Page("fixed", "/iuran/")
FIXED_SQL = ('FROM "django_session"', 'FROM "accounts_user"')
FIXED_SAMPLES = 5  # times REPEAT: the fixed cost is small and is subtracted from every page


def pages_for(user: User) -> list[Page]:
    """What each role opens in a day, with a farmer of the user's own area for the searches."""
    mine = farmers_for(user)
    sample = mine.filter(kpj__isnull=False).order_by("pk").first() or mine.order_by("pk").first()
    if sample is None:
        raise SystemExit(f"{user.username} sees no farmer: build the data first")
    # The list pages by keyset: its last page is the one after the farmer PAGE_SIZE + 1 from the end.
    before_last = mine.order_by(*(f"-{field}" for field in LIST_ORDER))[PAGE_SIZE : PAGE_SIZE + 1].first()
    pages = [
        Page("home", "/"),
        Page("farmer_list", "/petani/"),
        Page("search_nik", "/petani/", {"q": sample.nik}),
        Page("search_kpj", f"/petani/?q={sample.kpj or sample.nik[:11]}"),
        Page("search_nik_prefix", f"/petani/?q={sample.nik[:6]}"),
        Page("search_name", f"/petani/?q={NAME_QUERY}"),
        Page("last_page", f"/petani/?setelah={before_last.pk}" if before_last else "/petani/"),
        Page("farmer_detail", f"/petani/{sample.pk}/"),
        Page("claims_list", "/klaim/"),
        Page("iuran_hub", "/iuran/"),
        Page("visits", "/iuran/kunjungan/"),
        Page("monev_dashboard", "/monev/"),
        Page("reports", "/monev/laporan/"),
    ]
    if user.role == Role.PENYULUH:
        pages += [
            Page("register_form", "/petani/daftar/"),
            Page("visits_desa", f"/iuran/kunjungan/?desa={sample.village_id}"),
        ]
    if user.role == Role.ADMIN:
        pages += [Page("gateway", "/gateway/"), Page("audit_log", "/audit/")]
    return pages


def measure_pages(base_url: str, accounts: dict[str, list[Account]]) -> dict[str, dict]:
    """{"fixed": the fixed cost, "pages": {role: {page: {p50_ms, p95_ms, floor_p50_ms, floor_p95_ms,
    fixed_p50_ms, fixed_p95_ms, ratio_p50, ratio_p95, ratio_fixed_p50, ratio_fixed_p95, queries, samples}}}}."""
    results: dict[str, dict[str, dict]] = {}
    with psycopg.connect(settings_conninfo()) as bare:
        bare.execute("SET TIME ZONE 'UTC'")  # as Django sets its own connections
        for role, (account, *_) in accounts.items():
            results[role] = {}
            browser = _browser(base_url, account)
            for page in pages_for(account.user):
                results[role][page.name] = measure_page(page, base_url, browser, account, bare)
        # Last, on a server every page has warmed: timed first, it also paid the workers' first
        # requests and what the bench's earlier parts left running (7 against 4 ms at 20.000).
        fixed = measure_fixed(base_url, accounts["admin"][0], bare)
    for pages in results.values():
        for name, measured in pages.items():
            if "p50_ms" in measured:
                pages[name] = _beside_fixed(measured, fixed)
    return {"fixed": fixed, "pages": results}


def measure_fixed(base_url: str, admin: Account, bare: psycopg.Connection) -> dict:
    """The cost of a signed-in page beyond its SQL: the smallest page timed through gunicorn, less
    the session and user lookups it runs (its floor)."""
    statements = captured_sql(FIXED, admin)
    if len(statements) != len(FIXED_SQL) or not all(
        table in sql for table, sql in zip(FIXED_SQL, statements, strict=True)
    ):
        raise SystemExit(f"{FIXED.path} should read only the session and the user, it ran: {statements}")
    measured = measure_page(FIXED, base_url, _browser(base_url, admin), admin, bare, repeat=FIXED_SAMPLES * REPEAT)
    return {
        **measured,
        "role": "admin",
        "fixed_p50_ms": round(max(measured["p50_ms"] - measured["floor_p50_ms"], 0), 1),
        "fixed_p95_ms": round(max(measured["p95_ms"] - measured["floor_p95_ms"], 0), 1),
    }


def _beside_fixed(page: dict, fixed: dict) -> dict:
    """The page's times beside its floor plus the fixed cost: what the page would cost if it spent
    nothing beyond its queries and what every page spends."""
    return {
        **page,
        "fixed_p50_ms": fixed["fixed_p50_ms"],
        "fixed_p95_ms": fixed["fixed_p95_ms"],
        "ratio_fixed_p50": ratio(page["p50_ms"], page["floor_p50_ms"] + fixed["fixed_p50_ms"]),
        "ratio_fixed_p95": ratio(page["p95_ms"], page["floor_p95_ms"] + fixed["fixed_p95_ms"]),
    }


def measure_page(
    page: Page,
    base_url: str,
    browser: requests.Session,
    account: Account,
    bare: psycopg.Connection,
    *,
    repeat: int | None = None,
) -> dict:
    try:
        first = _fetch(base_url, browser, page)
    except requests.Timeout:
        return {"path": page.path, "status": f"no answer within {TIMEOUT_S} s"}  # at a million, some may not
    if first.status_code != 200:
        return {"path": page.path, "status": first.status_code}  # not a page of this role
    _fetch(base_url, browser, page)  # warm: the worker's templates and the database's cache
    samples = _timed(lambda: _fetch(base_url, browser, page), repeat or REPEAT)
    statements = captured_sql(page, account)
    _run_bare(bare, statements)
    floor = _timed(lambda: _run_bare(bare, statements), repeat or REPEAT)
    web, sql = summary(samples), summary(floor)
    return {
        "path": page.path if page.form is None else f"POST {page.path}",
        **web,
        "floor_p50_ms": sql["p50_ms"],
        "floor_p95_ms": sql["p95_ms"],
        "ratio_p50": ratio(web["p50_ms"], sql["p50_ms"]),
        "ratio_p95": ratio(web["p95_ms"], sql["p95_ms"]),
        "queries": len(statements),
        "samples": len(samples),
    }


def captured_sql(page: Page, account: Account) -> list[str]:
    """The statements the page runs for this user, as sent to PostgreSQL (parameters inlined)."""
    client = Client(raise_request_exception=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = account.cookie
    with CaptureQueriesContext(connection) as captured:
        answer = client.post(page.path, page.form) if page.form is not None else client.get(page.path)
    if answer.status_code != 200:
        raise SystemExit(f"{page.path} answered {answer.status_code} in-process but 200 through gunicorn")
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)]


def settings_conninfo() -> str:
    db = connection.settings_dict
    return f"host={db['HOST']} port={db['PORT'] or 5432} dbname={db['NAME']} user={db['USER']}" + (
        f" password={db['PASSWORD']}" if db["PASSWORD"] else ""
    )


def _run_bare(bare: psycopg.Connection, statements: list[str]) -> None:
    with bare.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql.encode())  # bytes: a % in the text is the SQL's own, not a placeholder
            if cursor.description:
                cursor.fetchall()
    bare.rollback()


def _timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples: list[float] = []
    spent = 0.0
    while len(samples) < repeat and (len(samples) < 3 or spent < PAGE_BUDGET_S):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
        spent += samples[-1]
    return samples


def _browser(base_url: str, account: Account) -> requests.Session:
    browser = requests.Session()
    browser.cookies.update(account.cookies())
    browser.get(f"{base_url}/petani/", timeout=60)  # leaves the CSRF cookie a POST search needs
    return browser


def _fetch(base_url: str, browser: requests.Session, page: Page) -> requests.Response:
    url = base_url + page.path
    if page.form is None:
        answer = browser.get(url, timeout=TIMEOUT_S, allow_redirects=False)
    else:
        token = browser.cookies.get(settings.CSRF_COOKIE_NAME, "")
        answer = browser.post(
            url, {**page.form, "csrfmiddlewaretoken": token}, timeout=TIMEOUT_S, allow_redirects=False
        )
    answer.content  # noqa: B018 - the whole body, as a browser waits for it
    return answer
