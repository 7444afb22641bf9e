"""`manage.py import_petani daftar.xlsx --agent penyuluh.budi [--dry-run]`: an agent's paper list,
imported as that agent. Rejected rows go to `daftar.galat.csv` next to the file."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Role, User
from enrollment.importer import ImportReport, import_farmers, read_rows
from enrollment.sheets import ImportFileError


class Command(BaseCommand):
    help = "Impor daftar petani (CSV atau XLSX) atas nama seorang penyuluh. Aman dijalankan berulang."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Berkas CSV atau XLSX.")
        parser.add_argument("--agent", required=True, help="Nama pengguna penyuluh yang mendaftarkan.")
        parser.add_argument("--dry-run", action="store_true", help="Periksa saja, tidak ada yang disimpan.")

    def handle(self, *args, file: Path, agent: str, dry_run: bool = False, **options) -> None:
        user = _agent_user(agent)
        try:
            with file.open("rb") as f:
                rows = read_rows(f, file.name)
        except OSError as exc:
            raise CommandError(f"Berkas {file} tidak bisa dibuka: {exc.strerror}.", returncode=2) from exc
        except ImportFileError as exc:
            # The agent's file, not the program, is at fault: a message and exit status 2, no traceback.
            raise CommandError(f"Berkas {file} tidak diimpor: {exc}", returncode=2) from exc

        report = import_farmers(user=user, rows=rows, dry_run=dry_run)

        errors_path = file.with_name(f"{file.stem}.galat.csv")
        _write_errors(errors_path, report)
        for note in report.warnings:
            self.stdout.write(f"peringatan baris {note.line}: {note.reason}")
        if dry_run:
            self.stdout.write("Uji coba: tidak ada data yang disimpan.")
        self.stdout.write(report.summary)
        if report.rejected or report.unprocessed:
            self.stdout.write(f"Baris yang ditolak: {errors_path}")


def _agent_user(username: str) -> User:
    user = User.objects.filter(username=username).select_related("agent").first()
    if user is None:
        raise CommandError(f"Pengguna {username} tidak ada.")
    if user.role != Role.PENYULUH or not hasattr(user, "agent"):
        raise CommandError(f"{username} bukan penyuluh (agen); petani hanya diimpor atas nama penyuluh.")
    return user


def _write_errors(path: Path, report: ImportReport) -> None:
    # Written on every run, even empty, so an old file never describes a newer import.
    # utf-8-sig: Excel then opens it with the right characters.
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["baris", "nik", "alasan"])
        notes = sorted(report.rejected + report.unprocessed, key=lambda note: note.line)
        writer.writerows([note.line, _spreadsheet_safe(note.nik), note.reason] for note in notes)


def _spreadsheet_safe(text: str) -> str:
    # The NIK cell is echoed as written; Excel would run "=HYPERLINK(…)" as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
