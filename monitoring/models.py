"""The day-5 monitoring meeting (*monev*): targets, frozen monthly figures, and meeting notes.

Figures are computed in SQL from the records (monitoring/monev.py); on the 5th the month just
ended is frozen here, so every BPP meeting discusses the same numbers (docs/domain-rules.md#targets).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import Agent
from wilayah.models import Region

DEFAULT_TARGET_PERCENT = 35


class Target(models.Model):
    """A kecamatan's target set by Dinas from a month on, instead of 35 % of its farmers."""

    kecamatan = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": Region.Level.KECAMATAN}
    )
    valid_from = models.DateField("berlaku mulai bulan", help_text="Hari pertama bulan.")
    value = models.PositiveIntegerField("target peserta aktif")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "target kecamatan"
        verbose_name_plural = "target kecamatan"
        ordering = ["kecamatan", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["kecamatan", "valid_from"], name="one_target_per_month")]

    def __str__(self) -> str:
        return f"{self.kecamatan}: {self.value} mulai {self.valid_from:%m-%Y}"


class Level(models.TextChoices):
    KECAMATAN = "KECAMATAN", "Kecamatan/BPP"
    DESA = "DESA", "Desa/kelurahan"
    AGENT = "AGENT", "Penyuluh"


class Snapshot(models.Model):
    """One area's figures for a month, frozen on the 5th of the next month (WITA)."""

    month = models.DateField("bulan")
    level = models.CharField(max_length=10, choices=Level.choices)
    key = models.CharField(max_length=20, help_text="Kode wilayah atau kode agen.")
    figures = models.JSONField()
    frozen_at = models.DateTimeField()

    class Meta:
        verbose_name = "snapshot monev"
        verbose_name_plural = "snapshot monev"
        constraints = [models.UniqueConstraint(fields=["month", "level", "key"], name="one_snapshot_per_area_month")]
        indexes = [models.Index(fields=["month", "level"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.level} {self.key}"


class MeetingNote(models.Model):
    """*Catatan monev*: a problem raised at the meeting and its follow-up, per agent or desa."""

    month = models.DateField("bulan rapat", help_text="Hari pertama bulan yang dibahas.")
    kecamatan = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="meeting_notes")
    village = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="meeting_notes")
    problem = models.CharField("masalah", max_length=500)
    follow_up = models.CharField("tindak lanjut", max_length=500, blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "catatan monev"
        verbose_name_plural = "catatan monev"
        ordering = ["-month", "-written_at"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kecamatan}: {self.problem[:40]}"


class ExportState(models.TextChoices):
    QUEUED = "QUEUED", "Menunggu giliran"
    RUNNING = "RUNNING", "Sedang dibuat"
    DONE = "DONE", "Selesai"
    FAILED = "FAILED", "Gagal"


class ExportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel"


class ExportJob(models.Model):
    """A report made in the background (monitoring/exports.py), kept for its owner to download later."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField("laporan", max_length=16)
    month = models.DateField("bulan")
    area = models.CharField("wilayah", max_length=20, blank=True, help_text="Kode wilayah; kosong untuk seluruhnya.")
    fmt = models.CharField("format", max_length=4, choices=ExportFormat.choices)
    state = models.CharField(max_length=8, choices=ExportState.choices, default=ExportState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    # Private storage under a random name: only the download view, for the owner, serves it.
    file = models.FileField(upload_to="laporan/", blank=True)
    filename = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    submission_token = models.UUIDField(unique=True)

    class Meta:
        verbose_name = "ekspor laporan"
        verbose_name_plural = "ekspor laporan"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"]), models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.name} {self.month:%Y-%m} {self.fmt} ({self.state})"


class MonevTally(models.Model):
    """The monev and trend figures of a desa, a penyuluh and a month, for farmers with or without
    a KPJ: a regency's dashboard without going through its farmers and their payments per visit.

    Kept by PostgreSQL triggers on the farmers and the payments (migration 0003), in the
    transaction of the change; `manage.py rekap_monev` rebuilds it. Not kept on SQLite (`make
    run`) nor PostgreSQL before 15, where monitoring/monev.py and trends.py count live
    (docs/architecture.md#figures-at-scale)."""

    # No foreign keys in the database: triggers write these rows, and a desa or penyuluh with
    # farmers cannot be deleted anyway.
    village = models.ForeignKey(Region, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    agent = models.ForeignKey(Agent, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    registered = models.BooleanField()  # the farmer has a KPJ
    month = models.DateField()
    created = models.IntegerField()  # farmers recorded in the month (WITA)
    new_registrations = models.IntegerField()  # ... and not refused by BPJS
    active = models.IntegerField()  # covered in the month by payments received by its end
    counted = models.IntegerField()  # active, or covered only the month before (grace)

    class Meta:
        required_db_features = {"supports_nulls_distinct_unique_constraints"}
        constraints = [
            models.UniqueConstraint(
                fields=["village", "agent", "registered", "month"], name="one_monev_tally", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.agent_id} {self.month:%Y-%m}: {self.active}/{self.counted} aktif"


class CollectedTally(models.Model):
    """Contributions received in a month (WITA), not refused, per desa, penyuluh and source of
    funds; kept and rebuilt with MonevTally."""

    village = models.ForeignKey(Region, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    agent = models.ForeignKey(Agent, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    month = models.DateField()
    source = models.CharField(max_length=10)
    amount = models.BigIntegerField()
    months = models.IntegerField()

    class Meta:
        required_db_features = {"supports_nulls_distinct_unique_constraints"}
        constraints = [
            models.UniqueConstraint(
                fields=["village", "agent", "month", "source"], name="one_collected_tally", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.agent_id} {self.month:%Y-%m} {self.source}: Rp {self.amount}"
