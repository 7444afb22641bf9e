"""`manage.py laporan monev --bulan 2026-11 --wilayah 73.12 --out laporan.pdf`: a report to a file,
for scheduled sending; the same report, scoping and access log as a download from the page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, User
from monitoring.reports import FORMATS, REPORTS, ReportError, render_report

# CommandError's exit status for bad input, as argparse uses for a bad argument.
BAD_INPUT = 2


class Command(BaseCommand):
    help = "Buat laporan (monev, peserta, iuran, klaim) sebagai PDF atau Excel; format menurut akhiran --out."

    def add_arguments(self, parser):
        parser.add_argument("nama", help="monev, peserta, iuran atau klaim")
        parser.add_argument("--bulan", required=True, help="YYYY-MM, misalnya 2026-11")
        parser.add_argument(
            "--wilayah", default="", help="kode kabupaten, kecamatan atau desa; bawaan: wilayah pengguna"
        )
        parser.add_argument("--out", required=True, help="berkas tujuan: .pdf atau .xlsx")
        parser.add_argument("--oleh", default="", help="nama pengguna yang membuat laporan; bawaan: admin pertama")

    def handle(self, *args, **options):
        name = options["nama"]
        if name not in REPORTS:
            raise CommandError(
                f"Laporan {name!r} tidak dikenal. Pilih salah satu: {', '.join(REPORTS)}.", returncode=BAD_INPUT
            )
        try:
            month = dt.date.fromisoformat(f"{options['bulan']}-01")
        except ValueError:
            raise CommandError("Bulan harus YYYY-MM, misalnya 2026-11.", returncode=BAD_INPUT) from None
        out = Path(options["out"])
        fmt = out.suffix.lower().removeprefix(".")
        if fmt not in FORMATS:
            raise CommandError("Berkas tujuan harus berakhiran .pdf atau .xlsx.", returncode=BAD_INPUT)
        user = self._user(options["oleh"])
        try:
            data, _ = render_report(name, user=user, month=month, area=options["wilayah"], fmt=fmt)
        except ReportError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Tidak dapat menulis {out}: {exc.strerror}.", returncode=BAD_INPUT) from None
        self.stdout.write(f"{out}: {len(data):,} bita, dibuat sebagai {user.username}.")

    def _user(self, username: str) -> User:
        users = User.objects.filter(is_active=True)
        user = (
            users.filter(username=username).first()
            if username
            else users.filter(role=Role.ADMIN).order_by("date_joined", "pk").first()
        )
        if user is None:
            who = f"Pengguna {username!r}" if username else "Admin"
            raise CommandError(f"{who} tidak ditemukan atau tidak aktif.", returncode=BAD_INPUT)
        return user
