"""`manage.py catat_iuran daftar.xlsx --agent dinas.budi --sumber DANA_DESA --pembayar 3 [--batch REF]
[--dry-run]`: a batch payment from a list (`nik`, `bulan`), recorded as that user. Safe to run again:
the same batch (the same reference, or without one the same file) adds nothing twice."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from contributions.batches import BatchError, batch_record, file_reference, read_batch_file
from contributions.models import FundSource, Payer
from enrollment.sheets import MAX_BYTES, ImportFileError
from sutasoma.formatting import masked_nik


class Command(BaseCommand):
    help = "Catat pembayaran kolektif dari daftar (CSV atau XLSX: nik, bulan). Aman dijalankan berulang."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Berkas CSV atau XLSX dengan kolom nik dan bulan.")
        parser.add_argument(
            "--agent", required=True, help="Nama pengguna yang mencatat (penyuluh, koordinator, Dinas)."
        )
        parser.add_argument("--sumber", default=FundSource.MANDIRI, choices=FundSource.values, help="Sumber dana.")
        parser.add_argument("--pembayar", type=int, help="ID pembayar (wajib untuk selain MANDIRI).")
        parser.add_argument("--batch", default="", help="Referensi; bawaan: dibuat dari isi berkas.")
        parser.add_argument("--dry-run", action="store_true", help="Periksa saja, tidak ada yang disimpan.")

    def handle(
        self,
        *args,
        file: Path,
        agent: str,
        sumber: str,
        pembayar: int | None = None,
        batch: str = "",
        dry_run: bool = False,
        **options,
    ) -> None:
        user = User.objects.filter(username=agent).first()
        if user is None:
            raise CommandError(f"Pengguna {agent} tidak ada.", returncode=2)
        payer = None
        if pembayar is not None and (payer := Payer.objects.filter(pk=pembayar).first()) is None:
            raise CommandError(f"Pembayar {pembayar} tidak ada.", returncode=2)
        try:
            with file.open("rb") as f:
                content = f.read(MAX_BYTES + 1)  # more is refused by the reader
            rows = read_batch_file(content, file.name)
        except OSError as exc:
            raise CommandError(f"Berkas {file} tidak bisa dibuka: {exc.strerror}.", returncode=2) from exc
        except ImportFileError as exc:
            # The file, not the program, is at fault: a message and exit status 2, no traceback.
            raise CommandError(f"Berkas {file} tidak dicatat: {exc}", returncode=2) from exc
        reference = batch or file_reference(content)
        try:
            report = batch_record(
                user=user, reference=reference, source=sumber, payer=payer, rows=rows, dry_run=dry_run
            )
        except BatchError as exc:
            raise CommandError(str(exc), returncode=2) from exc

        for result, note in report.problems:
            self.stdout.write(f"baris {note.line} ({masked_nik(note.nik) or '–'}): {result.lower()}: {note.reason}")
        if dry_run:
            self.stdout.write("Uji coba: tidak ada data yang disimpan.")
        self.stdout.write(f"Referensi: {report.reference}")
        self.stdout.write(report.summary)
