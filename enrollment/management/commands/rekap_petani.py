"""Count the farmer tally again from the farmers: after restoring a backup made without its
triggers, loading farmers with triggers disabled, or to check it (enrollment/tally.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from enrollment.tally import tally_rebuild


class Command(BaseCommand):
    help = "Hitung ulang rekap petani per desa, status dan lunas sampai (untuk Beranda) dari data petani."

    def handle(self, *args: object, **options: object) -> None:
        rows = tally_rebuild()
        self.stdout.write(f"rekap petani: {rows} baris" if rows else "rekap petani tidak dipakai pada basis data ini.")
