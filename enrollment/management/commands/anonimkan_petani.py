"""`manage.py anonimkan_petani --id 42 --oleh admin.budi --alasan "Surat permintaan 12/2026"`:
erase a farmer's identity on their request (UU 27/2022), keeping the KPJ and the payments.
`--hapus` deletes outright instead, which only works while the insurer never saw the farmer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Role, User
from enrollment.models import Farmer
from enrollment.services import farmer_anonymise, farmer_erase


class Command(BaseCommand):
    help = "Anonimkan data pribadi seorang petani atas permintaannya (UU 27/2022 PDP)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--id", type=int, required=True, dest="pk", help="Nomor (id) petani.")
        parser.add_argument("--oleh", required=True, help="Nama pengguna admin yang melakukannya.")
        parser.add_argument("--alasan", required=True, help="Alasan, mis. nomor surat permintaan petani.")
        parser.add_argument(
            "--hapus",
            action="store_true",
            help="Hapus sepenuhnya; hanya bila belum pernah dikirim ke BPJS dan belum ada pembayaran.",
        )

    def handle(self, *args, pk: int, oleh: str, alasan: str, hapus: bool = False, **options) -> None:
        user = User.objects.filter(username=oleh).first()
        if user is None:
            raise CommandError(f"Pengguna {oleh} tidak ada.")
        if not (user.role == Role.ADMIN or user.is_superuser):
            raise CommandError(f"{oleh} bukan admin; hanya admin yang boleh menganonimkan data petani.")
        farmer = Farmer.objects.filter(pk=pk).first()
        if farmer is None:
            raise CommandError(f"Petani #{pk} tidak ada.")
        try:
            if hapus:
                farmer_erase(farmer=farmer, by=user, reason=alasan)
            else:
                farmer_anonymise(farmer=farmer, by=user, reason=alasan)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Petani #{pk} {'dihapus' if hapus else 'dianonimkan'}.")
