from django.conf import settings
from django.core.management.base import BaseCommand

from wilayah.loader import load_wilayah


class Command(BaseCommand):
    help = "Muat wilayah Kemendagri (dan satu BPP per kecamatan). Bawaan: kabupaten deployment ini."

    def add_arguments(self, parser):
        parser.add_argument(
            "--regency", action="append", dest="regencies", help="Kode kabupaten bertitik, mis. 73.12 (boleh diulang)."
        )
        parser.add_argument("--all", action="store_true", help="Seluruh provinsi dalam berkas.")

    def handle(self, *args, regencies=None, all=False, **options):
        codes = None if all else (regencies or [settings.DEFAULT_REGENCY_CODE])
        result = load_wilayah(regency_codes=codes)
        self.stdout.write(f"wilayah: {result.regions}, BPP baru: {result.bpps_created}")
