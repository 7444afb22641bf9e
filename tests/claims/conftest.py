"""A farmer covered this month at the sandbox, and the documents of a claim as phone photos."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bpjs_gateway import outbox
from contributions.insurer import payment_messages
from contributions.services import payment_record
from enrollment.insurer import registration_messages
from enrollment.models import Farmer


@pytest.fixture
def insured(agent_user, make_farmer, h2h) -> Farmer:
    """Registered and paid for this month at the sandbox, as the insurer booked it."""
    farmer = make_farmer(agent_user)
    outbox.send_message(registration_messages(farmer).get().pk, client=h2h)
    farmer.refresh_from_db()
    payment = payment_record(user=agent_user, farmer=farmer, months=1, cash_received=16_800)
    outbox.send_message(payment_messages(payment).get().pk, client=h2h)
    farmer.refresh_from_db()
    return farmer


def photo(kind: str) -> SimpleUploadedFile:
    """A different picture per document kind, so each has its own hash."""
    image = Image.new("RGB", (320, 200), (sum(map(ord, kind)) % 255, 120, 80))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return SimpleUploadedFile(f"{kind.lower()}.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def document_photo() -> Callable[[str], SimpleUploadedFile]:
    return photo
