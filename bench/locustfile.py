"""The load scenario `make bench` runs headless (bench/load.py): 50 agents who search, register
and take payments in their own villages, and 5 coordinators who watch the dashboard. Each Locust
user takes one bench account's session from the plan file (BENCH_LOAD_PLAN), written by load.py.

A response counts as an error unless it is what a person would see when all goes well: 200 for a
page, a redirect to the new farmer or the receipt for a form.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task
from PIL import Image

PLAN = json.loads(Path(os.environ["BENCH_LOAD_PLAN"]).read_text())
AGENTS, COORDINATORS = iter(PLAN["agents"]), iter(PLAN["coordinators"])
TOKEN = re.compile(r'name="submission_token" value="([0-9a-f-]{36})"')
FIRST = ["ANDI", "BASO", "MUHAMMAD", "ABDUL", "SITTI", "HASNAH", "NURHAYATI", "MARLINA", "RAHMAT", "SUKMAWATI"]
LAST = ["BACO", "TAHIR", "SAMAD", "LATIF", "MAKKASAU", "RAHIM", "PATAHUDDIN", "MUSTAFA", "ARIFIN", "SUDDIN"]
SERIALS = itertools.count(random.randrange(1, 900))


def _ktp_jpeg() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (856, 540), (70, 110, 170)).save(picture, "JPEG", quality=80)  # a KTP's proportions
    return picture.getvalue()


KTP = _ktp_jpeg()


class SignedIn(HttpUser):
    """A bench account's session; every request checked for what success looks like."""

    abstract = True
    wait_time = between(2, 5)

    def on_start(self) -> None:
        # A new connection per request: gunicorn closes an idle keep-alive connection after 2 s, less
        # than the think time, and a browser silently resends a request that meets such a closing
        # connection where requests reports "connection reset", an error that is not the server's.
        self.client.headers["Connection"] = "close"

    def _page(self, path: str, *, name: str) -> str | None:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(_why(answer))
                return None
            return answer.text

    def _post(self, path: str, fields: dict, *, name: str, expect: int = 302, files: dict | None = None) -> str | None:
        """The redirect's target on success (the page itself for a 200), None on failure."""
        fields = fields | {"csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
        with self.client.post(
            path, data=fields, files=files, name=name, allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code != expect:
                answer.failure(_why(answer))
                return None
            return answer.headers.get("Location", "") if expect == 302 else answer.text


class Agent(SignedIn):
    """A penyuluh in the field: mostly looking farmers up, now and then a registration or a payment."""

    fixed_count = len(PLAN["agents"])

    def on_start(self) -> None:
        super().on_start()
        self.me = next(AGENTS)
        self.client.cookies.update(self.me["cookies"])
        self.payable = list(self.me["farmers"])

    @task(4)
    def search(self) -> None:
        kind, query = random.choice(
            [("name", self.me["name_query"]), ("NIK prefix", self.me["nik_prefix"]), ("KPJ", self.me["kpj"])]
        )
        self._page(f"/petani/?q={query}", name=f"search by {kind}")
        if self.payable:
            self._page(f"/petani/{random.choice(self.payable)}/", name="farmer detail")

    @task(1)
    def search_whole_nik(self) -> None:
        self._page("/petani/", name="farmer list")
        self._post("/petani/", {"q": self.me["nik"]}, name="search by whole NIK", expect=200)

    @task(1)
    def register(self) -> None:
        form = self._page("/petani/daftar/", name="registration form")
        if form is None:
            return
        village = random.choice(self.me["villages"])
        female = random.random() < 0.4
        year, month, day = random.randint(1966, 2004), random.randint(1, 12), random.randint(1, 28)
        serial = 9000 + next(SERIALS) % 999
        nik = f"{village.replace('.', '')[:6]}{day + 40 * female:02d}{month:02d}{year % 100:02d}{serial:04d}"
        fields = {
            "submission_token": TOKEN.search(form).group(1),
            "nik": nik,
            "no_kk": f"{village.replace('.', '')[:6]}{random.randint(10**9, 10**10 - 1)}",
            "name": f"{random.choice(FIRST)} {random.choice(LAST)} {random.choice(LAST)}",
            "birth_place": "SOPPENG",
            "birth_date": f"{year}-{month:02d}-{day:02d}",
            "sex": "P" if female else "L",
            "address": f"DUSUN {random.randint(1, 4)}",
            "village": village,
            "occupation": "PETANI",
            "income": "1000000",
            "consent": "on",
            "ahli-TOTAL_FORMS": "1",
            "ahli-INITIAL_FORMS": "0",
            "ahli-0-name": f"{random.choice(FIRST)} {random.choice(LAST)}",
            "ahli-0-relation": "SUAMI" if female else "ISTRI",
        }
        answer = self._post("/petani/daftar/", fields, name="register", files={"ktp_upload": ("ktp.jpg", KTP)})
        if answer and (pk := re.fullmatch(r".*/petani/(\d+)/", answer)):
            self.payable.append(int(pk.group(1)))

    @task(1)
    def pay(self) -> None:
        if not self.payable:  # villages with no farmer yet: the agent registers one first
            return self.register()
        farmer = random.choice(self.payable)
        form = self._page(f"/iuran/bayar/{farmer}/", name="payment form")
        if form is None:
            return
        fields = {"submission_token": TOKEN.search(form).group(1), "months": "1", "cash_received": "500000"}
        self._post(f"/iuran/bayar/{farmer}/", fields | {"cash_confirmed": "on"}, name="pay")


class Coordinator(SignedIn):
    """A koordinator BPP keeping the dashboard of their kecamatan open."""

    fixed_count = len(PLAN["coordinators"])

    def on_start(self) -> None:
        super().on_start()
        self.client.cookies.update(next(COORDINATORS)["cookies"])

    @task(3)
    def dashboard(self) -> None:
        self._page("/monev/", name="monev dashboard")

    @task(1)
    def home(self) -> None:
        self._page("/", name="home (koordinator)")


def _why(answer) -> str:
    """What went wrong, in a line: the connection's error, or the status with the form's messages."""
    if not answer.status_code:
        return f"no answer: {answer.error!r}"  # refused, reset, or a worker killed mid-request
    errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]{3,200})', answer.text or "")
    return f"{answer.status_code} {answer.headers.get('Location', '')} {'; '.join(errors[:3])}".strip()
