from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    PENYULUH = "PENYULUH", "Penyuluh"
    KOORDINATOR = "KOORDINATOR", "Koordinator BPP"
    DINAS = "DINAS", "Staf Dinas"
    ADMIN = "ADMIN", "Admin"


class User(AbstractUser):
    """A person who logs in. Where they may look is set by the role and one anchor:
    a penyuluh's agent profile (their desa), a koordinator's BPP, or a Dinas regency."""

    role = models.CharField("peran", max_length=12, choices=Role.choices, default=Role.PENYULUH)
    bpp = models.ForeignKey(
        "enrollment.Bpp",
        verbose_name="BPP",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Untuk koordinator BPP.",
    )
    regency = models.ForeignKey(
        "enrollment.Region",
        verbose_name="kabupaten",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"level": 1},
        related_name="+",
        help_text="Untuk staf Dinas.",
    )

    class Meta:
        verbose_name = "pengguna"
        verbose_name_plural = "pengguna"
        constraints = [
            models.CheckConstraint(
                name="koordinator_has_bpp",
                condition=~models.Q(role="KOORDINATOR") | models.Q(bpp__isnull=False),
            ),
            models.CheckConstraint(
                name="dinas_has_regency",
                condition=~models.Q(role="DINAS") | models.Q(regency__isnull=False),
            ),
        ]

    @property
    def scope_label(self) -> str:
        match self.role:
            case Role.KOORDINATOR:
                return str(self.bpp)
            case Role.DINAS:
                return str(self.regency)
            case Role.PENYULUH:
                agent = getattr(self, "agent", None)
                return f"{agent.villages.count()} desa/kelurahan" if agent else "belum ditugaskan"
        return "Semua wilayah"
