from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from enrollment.demo import seed_demo


class Command(BaseCommand):
    help = "Isi data demo Soppeng (pengguna demo, penyuluh, petani demo). Aman dijalankan berulang."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Jalankan walau DEBUG mati.")
        parser.add_argument("--farmers-per-village", type=int, default=5)

    def handle(self, *args, force=False, farmers_per_village=5, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG mati: ini tampaknya server sungguhan. Pakai --force bila memang demo.")
        result = seed_demo(password=settings.DEMO_PASSWORD, farmers_per_village=farmers_per_village)
        self.stdout.write(
            f"pengguna baru: {result.users}, penyuluh baru: {result.agents}, petani demo baru: {result.farmers}"
        )
