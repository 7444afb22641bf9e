"""Where the bench runs: its own PostgreSQL database (never the one in DATABASE_URL, which may be
someone's work) and Redis database, the test settings (PostgreSQL and Redis, a fast password
hasher, no collected static files), DEBUG off as in production. gunicorn and Celery workers
started by the bench inherit this environment."""

from __future__ import annotations

import os

import psycopg

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sutasoma_bench"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/14"


def bench_database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)


def configure(database_url: str, *, migrate: bool) -> None:
    """Point this process (and those it starts) at `database_url`, create it if need be, set Django up."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["CELERY_BROKER_URL"] = os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sutasoma.settings_test"
    os.environ["DEBUG"] = "0"
    create_database(database_url)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def create_database(url: str) -> None:
    """CREATE DATABASE once; a later run keeps its data (a million farmers take minutes to make)."""
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
