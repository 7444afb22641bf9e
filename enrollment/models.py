from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse

from accounts.models import Agent
from audit.history import ChangeHistory
from wilayah.models import Region


class Occupation(models.TextChoices):
    PETANI = "PETANI", "Petani"
    PEKEBUN = "PEKEBUN", "Pekebun"
    PETERNAK = "PETERNAK", "Peternak"
    PEMBUDIDAYA_IKAN = "PEMBUDIDAYA_IKAN", "Pembudidaya ikan"
    NELAYAN = "NELAYAN", "Nelayan"
    BURUH_TANI = "BURUH_TANI", "Buruh tani"


class Sex(models.TextChoices):
    L = "L", "Laki-laki"
    P = "P", "Perempuan"


class RegistrationStatus(models.TextChoices):
    MENUNGGU_KPJ = "MENUNGGU_KPJ", "Menunggu KPJ"
    TERDAFTAR = "TERDAFTAR", "Terdaftar"
    DITOLAK = "DITOLAK", "Ditolak BPJS"


# The rules of participation (BPU): age on the registration date, declared monthly income.
MIN_AGE, MAX_AGE = 15, 65
MIN_INCOME = 1_000_000
MAX_INCOME = 20_700_000


def ktp_upload_path(instance: Farmer, filename: str) -> str:
    # A random name: the file's path must never tell whose KTP it is.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"ktp/{uuid.uuid4().hex}.{extension}"


class Farmer(models.Model):
    nik = models.CharField("NIK", max_length=16, unique=True)
    no_kk = models.CharField("nomor KK", max_length=16)
    name = models.CharField("nama sesuai KTP", max_length=100)
    birth_place = models.CharField("tempat lahir", max_length=60)
    birth_date = models.DateField("tanggal lahir")
    sex = models.CharField("jenis kelamin", max_length=1, choices=Sex.choices)
    address = models.CharField("alamat", max_length=200)
    rt = models.CharField("RT", max_length=3, blank=True)
    rw = models.CharField("RW", max_length=3, blank=True)
    village = models.ForeignKey(
        Region,
        verbose_name="desa/kelurahan",
        on_delete=models.PROTECT,
        related_name="farmers",
        limit_choices_to={"level": Region.Level.DESA},
    )
    phone = models.CharField("nomor HP", max_length=20, blank=True)
    occupation = models.CharField("pekerjaan", max_length=20, choices=Occupation.choices, default=Occupation.PETANI)
    farmer_group = models.CharField("kelompok tani", max_length=100, blank=True)
    income = models.PositiveIntegerField("penghasilan per bulan", default=MIN_INCOME)

    ktp_image = models.FileField("foto/scan KTP", upload_to=ktp_upload_path, blank=True)
    consent_at = models.DateTimeField("persetujuan data pribadi pada")
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="persetujuan dicatat oleh"
    )

    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="farmers")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # One-time token of the form that created this farmer: a double tap or a resend saves once.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    registration_status = models.CharField(
        "status pendaftaran", max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.MENUNGGU_KPJ
    )
    kpj = models.CharField("KPJ", max_length=11, null=True, blank=True, unique=True)
    insurer_errors = models.JSONField("kesalahan dari BPJS", default=list, blank=True)
    paid_through = models.DateField(
        "lunas sampai", null=True, blank=True, help_text="Hari pertama bulan terakhir yang dibayar."
    )
    # Kept by contributions (contributions/insurer.py): a payment of this
    # farmer waits for the insurer's confirmation. Here, not only on the payments, so the farmer
    # tally can count the farmers to visit without joining a province's payments. A default in
    # the database too: rows written by COPY (gen_synthetic, the import bench) need not name it.
    payment_waiting = models.BooleanField("iuran menunggu konfirmasi", default=False, db_default=False, editable=False)

    is_demo = models.BooleanField("data demo", default=False)
    created_at = models.DateTimeField("didaftarkan pada", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the farmer asked for their data to be erased (UU 27/2022): the identity is gone,
    # the insurer's and the money's records stay.
    anonymised_at = models.DateTimeField("dianonimkan pada", null=True, blank=True, editable=False)

    # updated_at moves on every save; the token is plumbing; payment_waiting repeats the payments'
    # own history. None is a change to anyone's data.
    history = ChangeHistory(
        verbose_name="riwayat petani", excluded_fields=["updated_at", "submission_token", "payment_waiting"]
    )

    class Meta:
        verbose_name = "petani"
        verbose_name_plural = "petani"
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["village", "registration_status"]),
            models.Index(Upper("name"), name="farmer_upper_name"),
            models.Index(fields=["name", "birth_date"]),
            # The list's order, for keyset paging: the next page starts where the last one ended.
            models.Index(fields=["name", "id"], name="farmer_name_id"),
            # A 16-digit search looks up the NIK and the KK number alike.
            models.Index(fields=["no_kk"], name="farmer_no_kk"),
            models.Index(fields=["paid_through"]),
            # The home page's newest "waiting for a KPJ" and "refused", without reading them all.
            models.Index(fields=["registration_status", "created_at"], name="farmer_status_created"),
            models.Index(fields=["registration_status", "updated_at"], name="farmer_status_updated"),
        ]
        constraints = [
            models.CheckConstraint(name="nik_16_digits", condition=models.Q(nik__regex=r"^[0-9]{16}$")),
            models.CheckConstraint(
                name="income_in_range", condition=models.Q(income__gte=MIN_INCOME, income__lte=MAX_INCOME)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enrollment:farmer_detail", args=[self.pk])


class Relation(models.TextChoices):
    SUAMI = "SUAMI", "Suami"
    ISTRI = "ISTRI", "Istri"
    ANAK = "ANAK", "Anak"
    AYAH = "AYAH", "Ayah"
    IBU = "IBU", "Ibu"
    SAUDARA = "SAUDARA", "Saudara kandung"
    LAINNYA = "LAINNYA", "Lainnya"


class Heir(models.Model):
    """Ahli waris: who receives a JKM benefit."""

    farmer = models.ForeignKey(Farmer, on_delete=models.CASCADE, related_name="heirs")
    name = models.CharField("nama", max_length=100)
    relation = models.CharField("hubungan", max_length=10, choices=Relation.choices)
    nik = models.CharField("NIK", max_length=16, blank=True)

    history = ChangeHistory(verbose_name="riwayat ahli waris")

    class Meta:
        verbose_name = "ahli waris"
        verbose_name_plural = "ahli waris"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"


class ImportState(models.TextChoices):
    QUEUED = "QUEUED", "Menunggu giliran"
    RUNNING = "RUNNING", "Sedang diproses"
    DONE = "DONE", "Selesai"
    FAILED = "FAILED", "Gagal"


class ImportJob(models.Model):
    """An uploaded list of farmers (enrollment/import_jobs.py): its rows until they are processed,
    then the report, for the uploader alone to see."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField("berkas", max_length=100, blank=True)
    dry_run = models.BooleanField("periksa saja", default=False)
    state = models.CharField(max_length=8, choices=ImportState.choices, default=ImportState.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    # The file's rows as read, as JSON text, emptied once processed: the farmers' data then lives in
    # their records. Text, not jsonb: PostgreSQL's jsonb refuses the NUL a hostile cell may hold,
    # which the importer is there to refuse on its row.
    rows = models.TextField(blank=True)
    report = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)
    submission_token = models.UUIDField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "impor daftar petani"
        verbose_name_plural = "impor daftar petani"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"]), models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.state})"

    @property
    def percent(self) -> int:
        return min(100, self.done_rows * 100 // self.total_rows) if self.total_rows else 0

    @property
    def in_progress(self) -> bool:
        return self.state in (ImportState.QUEUED, ImportState.RUNNING)


class FarmerTally(models.Model):
    """How many farmers of a desa have one registration status, *lunas sampai*, anonymisation and
    payment waiting for the insurer: the home figures of a regency or a province without counting
    a million farmers per visit.

    Kept by PostgreSQL triggers on the farmer table (migrations 0007, 0009), in the transaction of the
    change itself, whatever wrote it: a service, an import, COPY, an update of many rows.
    `manage.py rekap_petani` rebuilds it from the farmers. Not kept on SQLite (`make run`) nor
    PostgreSQL before 15, where the figures are counted from the farmers (enrollment/tally.py)."""

    # No foreign key in the database: a trigger writes these rows, and a desa with farmers cannot
    # be deleted anyway (Farmer.village protects it).
    village = models.ForeignKey(Region, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    registration_status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    paid_through = models.DateField(null=True)
    anonymised = models.BooleanField()
    payment_waiting = models.BooleanField(default=False)
    farmers = models.IntegerField()

    class Meta:
        # PostgreSQL only: SQLite gets no table, and tally.py counts the farmers there.
        required_db_features = {"supports_nulls_distinct_unique_constraints"}
        constraints = [
            models.UniqueConstraint(
                fields=["village", "registration_status", "paid_through", "anonymised", "payment_waiting"],
                name="one_tally_per_kind",
                nulls_distinct=False,
            )
        ]
        # A province's visit counts (contributions/visits.py) pick a few months of lunas sampai
        # out of the tally: through this index, not by reading all of it (40 ms to 10 ms at 1M).
        indexes = [models.Index(fields=["paid_through"], name="tally_paid_through")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.registration_status} {self.paid_through}: {self.farmers}"


class RegencyTally(models.Model):
    """FarmerTally per regency: an admin's province in about 1.400 rows instead of 106.000 at a
    million farmers (docs/architecture.md#figures-at-scale).

    The same trigger as FarmerTally's *appends* each statement's changes here (migration 0011)
    and never updates a row, so writers anywhere in a regency never wait for one another on a
    shared row: a key may have several rows, readers sum them, and regency_tally_fold() (the
    beat, every minute) replaces each key's rows by their sum. PostgreSQL only, as FarmerTally."""

    # No foreign key in the database: its check would lock the regency's row for every write in it;
    # no index either: readers take the whole table.
    regency = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    registration_status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    paid_through = models.DateField(null=True)
    anonymised = models.BooleanField()
    payment_waiting = models.BooleanField()
    farmers = models.IntegerField()  # a change appended by the trigger may be negative

    class Meta:
        required_db_features = {"supports_nulls_distinct_unique_constraints"}

    def __str__(self) -> str:
        return f"{self.regency_id} {self.registration_status} {self.paid_through}: {self.farmers}"
