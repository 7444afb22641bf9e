from __future__ import annotations

from django.conf import settings
from django.db import models

from audit.history import ChangeHistory


class Rate(models.Model):
    """Contribution rates from a date on: a new regulation adds a row and rewrites no history."""

    valid_from = models.DateField("berlaku mulai", unique=True)
    jkk_basis_points = models.PositiveIntegerField("JKK (basis poin dari penghasilan)", default=100)
    jkm_amount = models.PositiveIntegerField("JKM per bulan (Rp)", default=6_800)
    jht_basis_points = models.PositiveIntegerField("JHT (basis poin dari penghasilan)", default=200)
    regulation = models.CharField("dasar hukum", max_length=200, blank=True)

    class Meta:
        verbose_name = "tarif iuran"
        verbose_name_plural = "tarif iuran"
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"Tarif mulai {self.valid_from:%d-%m-%Y}"


class FundSource(models.TextChoices):
    MANDIRI = "MANDIRI", "Mandiri (petani sendiri)"
    DANA_DESA = "DANA_DESA", "Dana desa"
    SPONSOR = "SPONSOR", "Sponsor"
    PEMDA = "PEMDA", "Pemerintah daerah"


class PaymentStatus(models.TextChoices):
    MENUNGGU = "MENUNGGU", "Menunggu konfirmasi BPJS"
    TERKONFIRMASI = "TERKONFIRMASI", "Terkonfirmasi BPJS"
    DITOLAK = "DITOLAK", "Ditolak BPJS"


class Payment(models.Model):
    """Contribution cash an agent received for whole months of one farmer's cover."""

    receipt_no = models.CharField("nomor kuitansi", max_length=32, unique=True)
    farmer = models.ForeignKey("enrollment.Farmer", on_delete=models.PROTECT, related_name="payments")
    start_month = models.DateField("bulan mulai")
    months = models.PositiveSmallIntegerField("jumlah bulan")
    monthly_amount = models.PositiveIntegerField("iuran per bulan")
    amount = models.PositiveIntegerField("nominal")
    cash_received = models.PositiveIntegerField("uang diterima")
    source = models.CharField("sumber dana", max_length=10, choices=FundSource.choices, default=FundSource.MANDIRI)
    paid_at = models.DateTimeField("diterima pada")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    status = models.CharField(max_length=14, choices=PaymentStatus.choices, default=PaymentStatus.MENUNGGU)
    transaction_no = models.CharField("nomor transaksi BPJS", max_length=40, blank=True)
    confirmed_at = models.DateTimeField("dikonfirmasi BPJS pada", null=True, blank=True)
    insurer_errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = ChangeHistory(verbose_name="riwayat pembayaran iuran", excluded_fields=["submission_token"])

    class Meta:
        verbose_name = "pembayaran iuran"
        verbose_name_plural = "pembayaran iuran"
        ordering = ["-paid_at"]
        constraints = [
            models.CheckConstraint(name="months_1_to_12", condition=models.Q(months__gte=1, months__lte=12)),
            models.CheckConstraint(
                name="amount_is_months_times_rate",
                condition=models.Q(amount=models.F("months") * models.F("monthly_amount")),
            ),
            models.CheckConstraint(
                name="cash_covers_amount", condition=models.Q(cash_received__gte=models.F("amount"))
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_no
