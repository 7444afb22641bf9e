"""Read KTP photos from files: to check the reader, or to fill in data from scanned paper archives."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from enrollment.ktp_reading import READING_UNAVAILABLE, KtpReadingError, read_upload, reading_available


class Command(BaseCommand):
    help = "Baca NIK, nama, tempat/tanggal lahir, jenis kelamin dan alamat dari foto KTP (JPG atau PNG)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("photos", nargs="+", metavar="FOTO", help="Berkas foto KTP.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Satu objek JSON per foto, satu per baris."
        )

    def handle(self, *args: object, photos: list[str], as_json: bool = False, **options: object) -> None:
        if not reading_available():
            raise CommandError(READING_UNAVAILABLE)
        for photo in photos:
            result = self._read(Path(photo))
            if as_json:
                self.stdout.write(_json({"foto": photo, **result}))
            elif "error" in result:
                self.stderr.write(f"{photo}: {result['error']}")
            else:
                self.stdout.write(f"{photo}:")
                for name, confidence in result["confidence"].items():
                    note = result["catatan"].get(name, "")
                    self.stdout.write(f"  {name:<14} {result[name]:<32} {confidence:.2f} {note}".rstrip())

    def _read(self, path: Path) -> dict[str, object]:
        try:
            with path.open("rb") as handle:
                return read_upload(File(handle, name=path.name)).as_json()
        except OSError as exc:
            return {"error": f"Berkas tidak bisa dibuka: {exc.strerror or exc}."}
        except (ValueError, KtpReadingError) as exc:
            return {"error": str(exc)}


def _json(value: dict[str, object]) -> str:
    return json.dumps(value, ensure_ascii=False)
