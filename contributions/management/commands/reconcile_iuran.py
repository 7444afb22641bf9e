import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from contributions.reconciliation import ReconciliationUnavailable, reconcile_payments, reconciliation_store


class Command(BaseCommand):
    help = (
        "Cocokkan pembayaran iuran yang dibukukan BPJS pada satu tanggal (WITA) dengan catatan kita, "
        "dan simpan selisihnya untuk halaman Rekonsiliasi."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD; bawaan: kemarin (WITA)")

    def handle(self, *args, date=None, **options):
        try:
            day = dt.date.fromisoformat(date) if date else timezone.localdate() - dt.timedelta(days=1)
        except ValueError as exc:
            raise CommandError("Tanggal harus YYYY-MM-DD.") from exc
        try:
            report = reconcile_payments(day)
        except ReconciliationUnavailable as exc:
            raise CommandError(f"BPJS tidak menjawab: {exc}. Coba lagi nanti.") from exc
        reconciliation_store(report)
        for row in report.unknown_here:
            self.stdout.write(
                f"tidak ada di SUTASOMA: {row.get('ref_kanal')} {row.get('no_transaksi')} "
                f"KPJ {row.get('kpj')} Rp {row.get('nominal')}"
            )
        for receipt in report.missing_there:
            self.stdout.write(f"tidak ada di BPJS: {receipt}")
        for mismatch in report.mismatched:
            self.stdout.write(f"berbeda: {mismatch.receipt_no} ({mismatch.labels})")
        self.stdout.write(
            f"{day.isoformat()}: BPJS {report.insurer_count}, cocok {report.matched}, "
            f"tidak ada di SUTASOMA {len(report.unknown_here)}, tidak ada di BPJS {len(report.missing_there)}, "
            f"berbeda {len(report.mismatched)}"
        )
