from __future__ import annotations

from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    VIEW_NIK = "LIHAT_NIK", "Melihat NIK lengkap"
    VIEW_KTP = "LIHAT_KTP", "Melihat foto KTP"
    NIK_CHECK = "CEK_NIK", "Memeriksa apakah NIK terdaftar"
    DUPLICATE_CHECK = "CEK_DUPLIKAT", "Memeriksa kemungkinan duplikat"
    KTP_READ = "BACA_KTP", "Membaca foto KTP otomatis"
    EXPORT = "EKSPOR", "Mengekspor data"
    ERASE = "ANONIMKAN", "Menganonimkan data petani"


class AccessLog(models.Model):
    """Who looked at personal data, or asked whether someone is registered, and when (UU 27/2022).

    The subject is written as text (`petani:42`) rather than a foreign key: this app sits below
    the domain apps, and an entry must outlive an erased farmer.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="oleh")
    action = models.CharField("tindakan", max_length=16, choices=Action.choices)
    subject = models.CharField("data", max_length=64, blank=True)
    detail = models.CharField("keterangan", max_length=200, blank=True)
    ip_address = models.GenericIPAddressField("alamat IP", null=True, blank=True)
    at = models.DateTimeField("waktu", auto_now_add=True)

    class Meta:
        verbose_name = "log akses data pribadi"
        verbose_name_plural = "log akses data pribadi"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "action", "at"]),
            models.Index(fields=["subject", "at"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_action_display()} {self.subject}".strip()
