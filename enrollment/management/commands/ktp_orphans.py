"""KTP files that no farmer points to: left by a save whose transaction rolled back after the file
was written, by a deletion, or put there by hand; and photos kept for a form that was never sent
again (enrollment/kept_ktp.py), once KEEP_FOR has passed. They are personal data with no purpose."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from enrollment.kept_ktp import expired, stored_files
from enrollment.models import Farmer

KTP_FOLDER = "ktp"
# An upload is written before its farmer is committed: a file this young may be one in flight.
MIN_AGE = dt.timedelta(hours=1)


class Command(BaseCommand):
    help = (
        "Daftar berkas KTP di penyimpanan privat yang tidak dipakai petani mana pun, dan foto KTP yang "
        "disimpan untuk isian yang tidak dikirim ulang dalam sehari. "
        "Dengan --delete: hapus yang berumur lebih dari satu jam."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--delete", action="store_true", help="Hapus berkas yatim yang berumur lebih dari 1 jam.")

    def handle(self, *args: object, delete: bool = False, **options: object) -> None:
        storage = Farmer._meta.get_field("ktp_image").storage
        used = set(Farmer.objects.exclude(ktp_image="").values_list("ktp_image", flat=True))
        now = timezone.now()
        cutoff = now - MIN_AGE
        orphans = deleted = 0
        # A kept photo younger than KEEP_FOR still waits for its form: not an orphan yet.
        for path in [p for p in stored_files(storage, KTP_FOLDER) if p not in used] + expired(now=now):
            orphans += 1
            if delete and storage.get_modified_time(path) < cutoff:
                storage.delete(path)
                deleted += 1
                self.stdout.write(f"dihapus: {path}")
            elif delete:
                self.stdout.write(f"dibiarkan (belum 1 jam): {path}")
            else:
                self.stdout.write(path)
        summary = f"berkas KTP yatim: {orphans}"
        if delete:
            summary += f", dihapus: {deleted}"
        self.stdout.write(summary)

