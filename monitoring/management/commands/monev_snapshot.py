import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from monitoring.monev import monev_snapshot
from sutasoma.formatting import bulan
from sutasoma.months import add_months, month_start


class Command(BaseCommand):
    help = (
        "Bekukan angka monev satu bulan (semua kecamatan/BPP, desa dan penyuluh di setiap kabupaten "
        "yang punya BPP). Dijalankan sendiri tanggal 5 pukul 00.00 WITA; menjalankannya lagi menulis ulang "
        "baris yang sama dengan angka saat itu."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bulan", help="YYYY-MM; bawaan: bulan yang baru berakhir (WITA)")

    def handle(self, *args, **options):
        given = options["bulan"]
        try:
            month = dt.date.fromisoformat(f"{given}-01") if given else add_months(month_start(timezone.localdate()), -1)
        except ValueError as exc:
            raise CommandError("Bulan harus YYYY-MM, misalnya 2026-10.") from exc
        try:
            areas = monev_snapshot(month)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{bulan(month)}: angka {areas} wilayah dibekukan.")
