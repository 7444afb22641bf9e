from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from contributions.demo import seed_demo_payments
from enrollment.demo import DEMO_VILLAGE, seed_demo


class Command(BaseCommand):
    help = "Isi data demo Soppeng (pengguna demo, penyuluh, petani dan iuran demo). Aman dijalankan berulang."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Jalankan walau DEBUG mati.")
        parser.add_argument("--farmers-per-village", type=int, default=5)

    def handle(self, *args, force=False, farmers_per_village=5, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG mati: ini tampaknya server sungguhan. Pakai --force bila memang demo.")
        result = seed_demo(password=settings.DEMO_PASSWORD, farmers_per_village=farmers_per_village)
        payments = seed_demo_payments(dinas=User.objects.get(username="dinas.demo"), village_fund_desa=DEMO_VILLAGE)
        self.stdout.write(
            f"pengguna baru: {result.users}, penyuluh baru: {result.agents}, petani demo baru: {result.farmers}, "
            f"iuran demo baru: {payments}"
        )
