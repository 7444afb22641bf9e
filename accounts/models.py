from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from wilayah.models import Bpp, Region


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
        Bpp,
        verbose_name="BPP",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Untuk koordinator BPP.",
    )
    regency = models.ForeignKey(
        Region,
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
                villages = list(agent.villages.order_by("name")) if agent else []
                if not villages:
                    return "belum ditugaskan"
                # A phone header holds one name; the rest are counted (all of them are on Beranda).
                more = f" +{len(villages) - 1}" if len(villages) > 1 else ""
                return f"{villages[0]}{more}"
        return "Semua wilayah"


class Agent(models.Model):
    """A penyuluh acting as enrolment agent for the desa assigned to them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agent")
    code = models.CharField("kode agen", max_length=20, unique=True)
    bpp = models.ForeignKey(Bpp, on_delete=models.PROTECT, related_name="agents")
    villages = models.ManyToManyField(
        Region,
        verbose_name="desa/kelurahan",
        limit_choices_to={"level": Region.Level.DESA},
        related_name="agents",
        db_table="enrollment_agent_villages",
    )

    class Meta:
        db_table = "enrollment_agent"  # its table from when it lived in enrollment: the move changed no row
        verbose_name = "penyuluh (agen)"
        verbose_name_plural = "penyuluh (agen)"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.code})"
