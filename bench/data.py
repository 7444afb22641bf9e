"""The bench's farmers: `manage.py gen_synthetic` at the size asked, made once per database and
kept for later runs (a million take about ten minutes). Each size has a database of its own
(bench/__main__.py), so going back and forth between 20.000 and 1.000.000 regenerates nothing."""

from __future__ import annotations

from django.core.management import call_command
from django.db import connection

from enrollment.models import Farmer
from enrollment.tally import regency_tally_fold
from monitoring.synthetic import synthetic_farmers
from wilayah.loader import load_wilayah

PROVINCE_FROM = 100_000  # from this size on the farmers spread over Sulawesi Selatan, below it over Soppeng


def wilayah_for(farmers: int) -> str:
    return "73" if farmers >= PROVINCE_FROM else "73.12"


def ensure_farmers(farmers: int) -> int:
    """Make the synthetic farmers unless the database holds exactly that many; returns how many
    farmers there are in all (the load scenario adds its registrations on every run)."""
    load_wilayah(regency_codes=["73.12"])  # the bench's own users work in Soppeng
    if synthetic_farmers().count() != farmers:
        # --hapus: a run stopped half-way leaves some; --force: the load scenario's registrations are not synthetic
        call_command("gen_synthetic", petani=farmers, wilayah=wilayah_for(farmers), hapus=True, force=True)
        with connection.cursor() as cursor:
            # As autovacuum would soon after a bulk load: plans from real counts, and a visibility map
            # that lets index-only scans skip the table (without it each row is fetched again).
            cursor.execute("VACUUM (ANALYZE)")
    # An earlier run's load scenario appended its registrations to the regency tally, and no beat
    # runs here to fold them as it would within a minute.
    regency_tally_fold()
    return Farmer.objects.count()
