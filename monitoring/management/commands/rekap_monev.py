"""Count the monev rollup again from the farmers and payments: after restoring a backup made
without its triggers, loading data with triggers disabled, or to check it (monitoring/rollup.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from monitoring.rollup import rollup_rebuild


class Command(BaseCommand):
    help = "Hitung ulang rekap monev per desa, penyuluh dan bulan (dasbor monev dan tren) dari data petani dan iuran."

    def handle(self, *args: object, **options: object) -> None:
        rows = rollup_rebuild()
        self.stdout.write(f"rekap monev: {rows} baris" if rows else "rekap monev tidak dipakai pada basis data ini.")
