from django.core.management.base import BaseCommand, CommandError

from monitoring.synthetic import GenerationResult, SyntheticRefused, delete_synthetic, generate


class Command(BaseCommand):
    help = (
        "Buat petani SINTETIS (NIK valid, nama Bugis/Indonesia, ahli waris, iuran, klaim) untuk mengukur "
        "pada skala provinsi. Semua ditandai data demo; --hapus membuang yang dibuat sebelumnya."
    )

    def add_arguments(self, parser):
        parser.add_argument("--petani", type=int, default=0, help="Jumlah petani sintetis yang dibuat.")
        parser.add_argument("--wilayah", default="73", help="73 (seluruh Sulawesi Selatan) atau kabupaten, mis. 73.12.")
        parser.add_argument("--seed", type=int, default=1, help="Angka acak awal: sama seed, sama data.")
        parser.add_argument("--hapus", action="store_true", help="Hapus dulu semua data sintetis sebelumnya.")
        parser.add_argument("--force", action="store_true", help="Jalankan walau ada petani sungguhan.")

    def handle(self, *args, petani, wilayah, seed, hapus, force, **options):
        if petani < 0:
            raise CommandError("--petani tidak boleh negatif.")
        if wilayah != "73" and not (len(wilayah) == 5 and wilayah.startswith("73.") and wilayah[3:].isdigit()):
            raise CommandError("--wilayah harus 73 atau kode kabupaten seperti 73.12.")
        if hapus:
            counts = delete_synthetic()
            self.stdout.write("Dihapus: " + ", ".join(f"{label} {n}" for label, n in counts.items()))
        if not petani:
            return
        try:
            result = generate(petani=petani, wilayah=wilayah, seed=seed, force=force, progress=self._progress)
        except SyntheticRefused as exc:
            raise CommandError(str(exc)) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Dibuat: petani {result.farmers}, ahli waris {result.heirs}, iuran {result.payments}, "
            f"klaim {result.claims} ({result.claim_events} langkah), penyuluh baru {result.agents}."
        )
        self.stdout.write(
            "Waktu: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
            + f" (membuat baris {result.python_seconds:.1f} s, COPY {result.copy_seconds:.1f} s)"
        )

    def _progress(self, result: GenerationResult) -> None:
        self.stderr.write(f"  {result.farmers} petani…")
