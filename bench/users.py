"""The bench's accounts: one of each role for the page timings, and 50 agents with their villages
and 5 coordinators for the load scenario. Each gets a ready session, so that no run spends its
minutes in the password hasher or trips the login lockout; the pages then see an ordinary login."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from accounts.models import Agent, Role, User
from wilayah.models import Bpp, Region

REGENCY = "73.12"  # Soppeng: the regency the Dinas, koordinator and agents of the bench work in
KECAMATAN = "73.12.04"  # Lalabata: the koordinator's BPP
AGENTS, COORDINATORS, VILLAGES_PER_AGENT = 50, 5, 3


@dataclass(frozen=True)
class Account:
    user: User
    cookie: str  # the session cookie's value

    def cookies(self) -> dict[str, str]:
        return {settings.SESSION_COOKIE_NAME: self.cookie}


def bench_accounts() -> dict[str, list[Account]]:
    """The accounts by role (get or create; their sessions are new on every run)."""
    regency = Region.objects.get(code=REGENCY)
    villages = list(Region.objects.filter(level=Region.Level.DESA, code__startswith=regency.prefix))
    bpps = list(Bpp.objects.filter(kecamatan__parent=regency).order_by("kecamatan_id"))
    lalabata = next(b for b in bpps if b.kecamatan_id == KECAMATAN)
    admin = _user("bench.admin", role=Role.ADMIN, is_staff=True)
    dinas = _user("bench.dinas", role=Role.DINAS, regency=regency)
    coordinators = [
        _user(f"bench.koordinator.{i + 1}", role=Role.KOORDINATOR, bpp=lalabata if i == 0 else bpps[i % len(bpps)])
        for i in range(COORDINATORS)
    ]
    agents = []
    for i in range(AGENTS):
        user = _user(f"bench.penyuluh.{i + 1:02d}", role=Role.PENYULUH)
        # Agent i takes three neighbouring villages, wrapping round the regency: every village has an agent.
        mine = [villages[(i * VILLAGES_PER_AGENT + k) % len(villages)] for k in range(VILLAGES_PER_AGENT)]
        agent, _ = Agent.objects.get_or_create(
            user=user, defaults={"code": f"BENCH-{i + 1:02d}", "bpp": Bpp.objects.get(kecamatan_id=mine[0].parent_id)}
        )
        agent.villages.set(mine)
        agents.append(user)
    return {
        "admin": [_session(admin)],
        "dinas": [_session(dinas)],
        "koordinator": [_session(u) for u in coordinators],
        "penyuluh": [_session(u) for u in agents],
    }


def _user(username: str, **fields) -> User:
    user, _ = User.objects.update_or_create(username=username, defaults={**fields, "first_name": username})
    if user.has_usable_password():
        user.set_unusable_password()  # reached only through the session made below
        user.save(update_fields=["password"])
    return user


def _session(user: User) -> Account:
    """What django.contrib.auth.login() leaves in the session store."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return Account(user=user, cookie=session.session_key)
