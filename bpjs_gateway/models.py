from __future__ import annotations

from django.db import models


class OutboxState(models.TextChoices):
    # Not to be sent yet: the owning app releases it (a payment waits for its farmer's KPJ).
    WAITING = "WAITING", "Menunggu syarat"
    PENDING = "PENDING", "Menunggu kirim"
    SENDING = "SENDING", "Sedang dikirim"
    DONE = "DONE", "Berhasil"
    FAILED = "FAILED", "Ditolak BPJS"
    # A refused row once sent again as a new operation: it cannot be sent again a second time.
    RESENT = "RESENT", "Sudah dikirim ulang"


class OutboxMessage(models.Model):
    """One operation for the insurer, written in the same transaction as the business change.

    The idempotency key is fixed at creation and the body before the first attempt, so every
    retry is the same request and the insurer replays instead of booking twice
    (docs/insurer-contract.md#idempotency).
    """

    # The name an app registered in bpjs_gateway.registry, and the pk of the record it concerns
    # in that app (a farmer for a registration, a payment for a payment): no foreign key per
    # operation, so the gateway knows no domain model.
    operation = models.CharField(max_length=32)
    subject_id = models.PositiveBigIntegerField()
    idempotency_key = models.CharField(max_length=64, unique=True)
    method = models.CharField(max_length=6, default="POST")
    path = models.CharField(max_length=200)
    # None while the message waits (WAITING): the owning app supplies it when it releases it.
    body = models.BinaryField(null=True)
    content_type = models.CharField(max_length=40, default="application/json")

    state = models.CharField(max_length=8, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error_code = models.CharField(max_length=64, blank=True)
    errors = models.JSONField(default=list, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "antrean BPJS"
        verbose_name_plural = "antrean BPJS"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=models.Q(state__in=["PENDING", "SENDING"]),
            ),
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["operation", "subject_id"], name="outbox_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.idempotency_key} ({self.get_state_display()})"


class RequestLog(models.Model):
    """One attempt at the insurer, written before the call and completed after it.
    No personal data: the operation, the outcome and the insurer's codes only."""

    message = models.ForeignKey(OutboxMessage, null=True, on_delete=models.SET_NULL, related_name="log")
    operation = models.CharField(max_length=32)
    method = models.CharField(max_length=6)
    path = models.CharField(max_length=200)  # with KPJ/claim numbers redacted
    started_at = models.DateTimeField(auto_now_add=True)
    duration_ms = models.PositiveIntegerField(null=True)
    http_status = models.PositiveSmallIntegerField(null=True)
    outcome = models.CharField(max_length=10, blank=True)  # ok / retry / permanent
    error_code = models.CharField(max_length=64, blank=True)
    replay = models.BooleanField(default=False)
    # A health probe's row (operation PROBE): the backed-off rows its answer let go at once.
    released = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "log permintaan BPJS"
        verbose_name_plural = "log permintaan BPJS"
        indexes = [models.Index(fields=["started_at"])]

    def __str__(self) -> str:
        return f"{self.operation} {self.http_status or '–'} {self.error_code}".strip()
