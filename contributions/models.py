from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import Agent
from audit.history import ChangeHistory
from sutasoma.months import add_months
from wilayah.models import Region


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


class Payer(models.Model):
    """Who pays for farmers other than the farmers themselves: a desa from its village fund, a
    sponsor (an office or a person), or the regency. Managed by Dinas."""

    source = models.CharField(
        "jenis",
        max_length=10,
        choices=[(value, label) for value, label in FundSource.choices if value != FundSource.MANDIRI],
    )
    name = models.CharField("nama", max_length=200)
    regency = models.ForeignKey(
        Region, verbose_name="kabupaten", on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": 1}
    )
    village = models.ForeignKey(
        Region,
        verbose_name="desa (dana desa)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payers",
        limit_choices_to={"level": Region.Level.DESA},
    )
    contact_name = models.CharField("narahubung", max_length=100, blank=True)
    phone = models.CharField("nomor HP", max_length=20, blank=True)
    note = models.CharField("catatan", max_length=200, blank=True)
    is_active = models.BooleanField("aktif", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "pembayar"
        verbose_name_plural = "pembayar"
        ordering = ["source", "name"]
        constraints = [
            # A desa has one village fund.
            models.UniqueConstraint(
                fields=["village"], condition=models.Q(source="DANA_DESA"), name="one_village_fund_per_desa"
            ),
            models.CheckConstraint(
                name="village_fund_names_its_desa",
                condition=~models.Q(source="DANA_DESA") | models.Q(village__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PaymentBatch(models.Model):
    """One action that pays N months for a list of farmers: a payer's transfer, an uploaded list,
    a paper receipt book entered later. Its reference makes a second submission add nothing."""

    reference = models.CharField("referensi", max_length=64, unique=True)
    payer = models.ForeignKey(Payer, null=True, blank=True, on_delete=models.PROTECT, related_name="batches")
    source = models.CharField("sumber dana", max_length=10, choices=FundSource.choices)
    note = models.CharField("catatan", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "pembayaran kolektif"
        verbose_name_plural = "pembayaran kolektif"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference


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
    # The last month covered, stored so that "is month M paid?" is `start_month <= M <= end_month`
    # in SQL (monitoring/monev.py); derived from start_month and months on every save.
    end_month = models.DateField("bulan terakhir")
    monthly_amount = models.PositiveIntegerField("iuran per bulan")
    amount = models.PositiveIntegerField("nominal")
    cash_received = models.PositiveIntegerField("uang diterima")
    source = models.CharField("sumber dana", max_length=10, choices=FundSource.choices, default=FundSource.MANDIRI)
    payer = models.ForeignKey(Payer, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    batch = models.ForeignKey(PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
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
            models.CheckConstraint(name="ends_after_start", condition=models.Q(end_month__gte=models.F("start_month"))),
            # A batch pays each farmer once, whoever submits it again.
            models.UniqueConstraint(fields=["batch", "farmer"], name="one_payment_per_farmer_per_batch"),
        ]
        indexes = [
            # An agent's cash (contributions/cash.py) sums and runs through their payments in
            # this order; with the amount in the index PostgreSQL never reads the payments.
            models.Index(
                fields=["recorded_by", "source", "paid_at", "id"], include=["amount"], name="payment_agent_cash_amount"
            ),
            models.Index(fields=["paid_at"], name="payment_paid_at"),  # a month's collections (monev)
            # The few payments waiting for the insurer, for the home page's visit count.
            models.Index(fields=["farmer"], name="payment_waiting", condition=models.Q(status="MENUNGGU")),
        ]

    def __str__(self) -> str:
        return self.receipt_no

    def save(self, *args, **kwargs) -> None:
        self.end_month = add_months(self.start_month, self.months - 1)
        super().save(*args, **kwargs)


class Deposit(models.Model):
    """*Setoran*: cash an agent handed over, recorded by their coordinator with its reference."""

    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="deposits")
    amount = models.PositiveIntegerField("jumlah")
    deposited_on = models.DateField("tanggal setor")
    reference = models.CharField("referensi (slip/bukti)", max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "setoran"
        verbose_name_plural = "setoran"
        ordering = ["-deposited_on", "-id"]
        constraints = [
            models.CheckConstraint(name="deposit_positive", condition=models.Q(amount__gt=0)),
            models.UniqueConstraint(fields=["agent", "reference"], name="one_deposit_per_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.amount} ({self.deposited_on})"


class ReconciliationRun(models.Model):
    """One day's comparison with what the insurer booked (contributions/reconciliation.py)."""

    day = models.DateField("tanggal", unique=True)
    ran_at = models.DateTimeField("dijalankan pada")
    insurer_count = models.PositiveIntegerField("dibukukan BPJS")
    matched = models.PositiveIntegerField("cocok")

    class Meta:
        verbose_name = "rekonsiliasi iuran"
        verbose_name_plural = "rekonsiliasi iuran"
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Rekonsiliasi {self.day}"


class DifferenceKind(models.TextChoices):
    UNKNOWN_HERE = "TIDAK_ADA_DI_SUTASOMA", "Dibukukan BPJS, tidak ada di SUTASOMA"
    MISSING_THERE = "TIDAK_ADA_DI_BPJS", "Terkonfirmasi di SUTASOMA, tidak dibukukan BPJS"
    MISMATCHED = "BERBEDA", "Data berbeda"


class ReconciliationDifference(models.Model):
    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="differences")
    kind = models.CharField("jenis", max_length=24, choices=DifferenceKind.choices)
    receipt_no = models.CharField("nomor kuitansi", max_length=64, blank=True)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.JSONField("rincian", default=dict, blank=True)
    resolved_at = models.DateTimeField("diselesaikan pada", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.CharField("penyelesaian", max_length=200, blank=True)

    class Meta:
        verbose_name = "selisih rekonsiliasi"
        verbose_name_plural = "selisih rekonsiliasi"
        ordering = ["run", "kind", "receipt_no"]
        constraints = [
            models.UniqueConstraint(fields=["run", "kind", "receipt_no"], name="one_difference_per_receipt_and_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.receipt_no}"
