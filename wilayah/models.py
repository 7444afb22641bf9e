"""The reference data every scope points at: the Kemendagri region tree, one BPP per kecamatan,
and how many farmers each desa counts. Below every other app (docs/architecture.md).

The tables keep the names they had when these models lived in `enrollment` (db_table), so the
move changed no row.
"""

from __future__ import annotations

from django.db import models


class Region(models.Model):
    """One node of the Kemendagri region tree, keyed by its dotted code (`73.12.04.2009`),
    so that "everything in a regency" is a prefix match on an indexed key."""

    class Level(models.IntegerChoices):
        PROVINSI = 0, "Provinsi"
        KABUPATEN = 1, "Kabupaten/Kota"
        KECAMATAN = 2, "Kecamatan"
        DESA = 3, "Desa/Kelurahan"

    code = models.CharField("kode", max_length=13, primary_key=True)
    name = models.CharField("nama", max_length=100)
    level = models.PositiveSmallIntegerField("tingkat", choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        db_table = "enrollment_region"
        verbose_name = "wilayah"
        verbose_name_plural = "wilayah"
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        if self.level == self.Level.DESA:
            return f"{self.village_kind} {self.name}"
        if self.level == self.Level.KECAMATAN:
            return f"Kecamatan {self.name}"
        return self.name

    @property
    def plain_code(self) -> str:
        """The code as the insurer writes it: no dots (`7312042009`)."""
        return self.code.replace(".", "")

    @property
    def village_kind(self) -> str:
        # Kemendagri: a village number starting with 1 is a kelurahan, with 2 a desa.
        return "Kelurahan" if self.code.rsplit(".", 1)[-1].startswith("1") else "Desa"

    @property
    def prefix(self) -> str:
        """What the codes of everything below this region start with."""
        return self.code + "."


class Bpp(models.Model):
    """Balai Penyuluhan Pertanian: one per kecamatan."""

    name = models.CharField("nama", max_length=100)
    kecamatan = models.OneToOneField(
        Region, on_delete=models.PROTECT, limit_choices_to={"level": Region.Level.KECAMATAN}, related_name="bpp"
    )

    class Meta:
        db_table = "enrollment_bpp"
        verbose_name = "BPP"
        verbose_name_plural = "BPP"
        ordering = ["kecamatan_id"]

    def __str__(self) -> str:
        return self.name


class FarmerCount(models.Model):
    """How many farmers live in a desa, as counted on a date: the base of the 35% targets."""

    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, limit_choices_to={"level": Region.Level.DESA}, related_name="farmer_counts"
    )
    as_of = models.DateField("per tanggal")
    count = models.PositiveIntegerField("jumlah petani")
    is_demo = models.BooleanField("data demo", default=False)
    source = models.CharField("sumber", max_length=200, blank=True)

    class Meta:
        db_table = "enrollment_farmercount"
        verbose_name = "jumlah petani per desa"
        verbose_name_plural = "jumlah petani per desa"
        constraints = [models.UniqueConstraint(fields=["village", "as_of"], name="one_count_per_village_date")]

    def __str__(self) -> str:
        return f"{self.village}: {self.count} petani ({self.as_of:%d-%m-%Y})"
