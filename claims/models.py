"""Claims for a work accident (JKK) or a death (JKM), their documents, and what happened to them.

The rules and the document checklist are in docs/domain-rules.md#claims and
docs/insurer-contract.md#operations.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from enrollment.models import Farmer, Relation
from wilayah.models import Region


class ClaimKind(models.TextChoices):
    JKK = "JKK", "JKK — kecelakaan kerja"
    JKM = "JKM", "JKM — meninggal dunia"


class DocumentKind(models.TextChoices):
    KTP = "KTP", "KTP peserta"
    KK = "KK", "Kartu Keluarga"
    KRONOLOGI = "KRONOLOGI", "Kronologi kejadian"
    SURAT_KETERANGAN_DOKTER = "SURAT_KETERANGAN_DOKTER", "Surat keterangan dokter"
    SURAT_KEMATIAN = "SURAT_KEMATIAN", "Surat kematian"
    KTP_AHLI_WARIS = "KTP_AHLI_WARIS", "KTP ahli waris"
    BUKU_REKENING = "BUKU_REKENING", "Buku rekening ahli waris"


# The insurer's checklist per claim type (docs/insurer-contract.md#operations).
REQUIRED_DOCUMENTS = {
    ClaimKind.JKK: (DocumentKind.KTP, DocumentKind.KRONOLOGI, DocumentKind.SURAT_KETERANGAN_DOKTER),
    ClaimKind.JKM: (
        DocumentKind.KTP,
        DocumentKind.KK,
        DocumentKind.SURAT_KEMATIAN,
        DocumentKind.KTP_AHLI_WARIS,
        DocumentKind.BUKU_REKENING,
    ),
}


class ClaimStatus(models.TextChoices):
    DILAPORKAN = "DILAPORKAN", "Dilaporkan"
    DOKUMEN_LENGKAP = "DOKUMEN_LENGKAP", "Dokumen lengkap"
    DIAJUKAN = "DIAJUKAN", "Diajukan ke BPJS"
    DITERIMA = "DITERIMA", "Diterima BPJS"
    VERIFIKASI = "VERIFIKASI", "Diverifikasi BPJS"
    DISETUJUI = "DISETUJUI", "Disetujui BPJS"
    DITOLAK = "DITOLAK", "Ditolak BPJS"
    DIBAYAR = "DIBAYAR", "Dibayar"


OPEN_STATUSES = tuple(s for s in ClaimStatus.values if s not in (ClaimStatus.DITOLAK, ClaimStatus.DIBAYAR))
# Statuses in which only the insurer moves the claim on: polled until final.
AT_THE_INSURER = (ClaimStatus.DIAJUKAN, ClaimStatus.DITERIMA, ClaimStatus.VERIFIKASI, ClaimStatus.DISETUJUI)


def document_upload_path(instance: ClaimDocument, filename: str) -> str:
    # A random name: the path must never tell whose document it is.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"klaim/{uuid.uuid4().hex}.{extension}"


class Claim(models.Model):
    farmer = models.ForeignKey(Farmer, on_delete=models.PROTECT, related_name="claims", verbose_name="petani")
    # The farmer's desa, copied so that an area's claims and their totals per kecamatan are read
    # from the claims alone, not joined to a province's farmers (docs/architecture.md, "Figures
    # at scale"). Set when the claim is reported; a trigger follows the farmer's desa (migration 0004).
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name="desa/kelurahan"
    )
    kind = models.CharField("jenis klaim", max_length=3, choices=ClaimKind.choices)
    incident_date = models.DateField("tanggal kejadian")
    place = models.CharField("tempat kejadian", max_length=200)
    description = models.CharField("apa yang terjadi", max_length=500)
    reporter_name = models.CharField("nama pelapor", max_length=100)
    reporter_relation = models.CharField("hubungan pelapor", max_length=10, choices=Relation.choices)
    reporter_phone = models.CharField("nomor HP pelapor", max_length=20)
    # JKM: the heir who receives the benefit, and where it is paid.
    beneficiary_name = models.CharField("nama penerima manfaat", max_length=100, blank=True)
    bank_name = models.CharField("bank", max_length=50, blank=True)
    bank_account = models.CharField("nomor rekening", max_length=30, blank=True)
    bank_account_holder = models.CharField("atas nama", max_length=100, blank=True)

    status = models.CharField("status", max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.DILAPORKAN)
    status_since = models.DateTimeField("status sejak", auto_now_add=True)
    claim_no = models.CharField("nomor klaim BPJS", max_length=20, null=True, blank=True, unique=True)
    paid_amount = models.PositiveBigIntegerField("nominal dibayar", null=True, blank=True)
    insurer_reason = models.CharField("alasan BPJS", max_length=300, blank=True)
    insurer_errors = models.JSONField("kesalahan dari BPJS", default=list, blank=True)

    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField("dilaporkan pada", auto_now_add=True)

    class Meta:
        verbose_name = "klaim"
        verbose_name_plural = "klaim"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "status_since"]),
            models.Index(fields=["kind", "created_at"]),
            models.Index(fields=["created_at"], name="claim_created_at"),  # a month's claims (monev)
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.farmer} ({self.incident_date:%d-%m-%Y})"

    def get_absolute_url(self) -> str:
        return reverse("claims:claim_detail", args=[self.pk])


class DocumentStatus(models.TextChoices):
    ADA = "ADA", "Sudah diunggah"
    TERKIRIM = "TERKIRIM", "Diterima BPJS"
    DITOLAK = "DITOLAK", "Ditolak BPJS — ganti"


class ClaimDocument(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("jenis dokumen", max_length=24, choices=DocumentKind.choices)
    file = models.FileField("berkas", upload_to=document_upload_path)
    content_type = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=DocumentStatus.choices, default=DocumentStatus.ADA)
    insurer_errors = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "dokumen klaim"
        verbose_name_plural = "dokumen klaim"
        constraints = [models.UniqueConstraint(fields=["claim", "kind"], name="one_document_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.claim}"


class ClaimEvent(models.Model):
    """One step of a claim's timeline: who (nobody for the insurer) and when."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=ClaimStatus.choices)
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = "riwayat klaim"
        verbose_name_plural = "riwayat klaim"
        # In the order written: the insurer's times come to the second, ours to the microsecond.
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.status} {self.at:%Y-%m-%d %H:%M}"


class Benefit(models.Model):
    """What a programme pays, from a date on: shown to the family, never typed into a template."""

    kind = models.CharField("program", max_length=3, choices=ClaimKind.choices)
    valid_from = models.DateField("berlaku mulai")
    name = models.CharField("manfaat", max_length=120)
    amount = models.PositiveBigIntegerField("nominal", null=True, blank=True, help_text="Kosong bila tidak tetap.")
    description = models.CharField("keterangan", max_length=300)
    regulation = models.CharField("dasar hukum", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "manfaat program"
        verbose_name_plural = "manfaat program"
        ordering = ["kind", "order", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["kind", "name", "valid_from"], name="one_benefit_per_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"
