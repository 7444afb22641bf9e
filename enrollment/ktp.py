"""Intake of a KTP photo or scan: check what it really is, strip what it should not carry."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
# A KTP stays legible at this size and a phone on 3G loads it in seconds.
MAX_SIDE_PX = 1600
Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs early


class KtpError(ValueError):
    """The file is not a usable KTP image; the message is for the agent."""


@dataclass(frozen=True)
class KtpFile:
    content: ContentFile
    content_type: str


def process_ktp_upload(upload: UploadedFile) -> KtpFile:
    if upload.size is not None and upload.size > MAX_BYTES:
        raise KtpError("Berkas KTP terlalu besar (maksimal 5 MB).")
    data = upload.read()
    if len(data) > MAX_BYTES:
        raise KtpError("Berkas KTP terlalu besar (maksimal 5 MB).")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise KtpError("Berkas PDF rusak atau tidak lengkap.")
        return KtpFile(ContentFile(data, name="ktp.pdf"), "application/pdf")
    return _clean_image(data)


def _clean_image(data: bytes) -> KtpFile:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            # Apply the camera's rotation, then save without EXIF (location, device, time).
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
            out = io.BytesIO()
            if kind == "PNG":
                image.save(out, format="PNG", optimize=True)
                return KtpFile(ContentFile(out.getvalue(), name="ktp.png"), "image/png")
            if kind == "JPEG":
                image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
                return KtpFile(ContentFile(out.getvalue(), name="ktp.jpg"), "image/jpeg")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise KtpError("Berkas bukan foto atau PDF yang bisa dibaca. Gunakan JPG, PNG atau PDF.") from exc
    raise KtpError("Jenis berkas tidak didukung. Gunakan foto JPG/PNG atau PDF.")
