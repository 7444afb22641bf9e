"""A KTP is personal data: only a clean JPEG, PNG or PDF is stored, readable by the app alone,
never left behind by a failed save, and served so that no browser or cache keeps or runs it."""

from __future__ import annotations

import io
import os
import struct
import time
import zlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from PIL import Image, ImageCms, ImageFile
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfReader, PdfWriter

from enrollment import services
from enrollment.ktp import (
    NOT_READABLE,
    PDF_ACTIVE,
    PDF_ENCRYPTED,
    PDF_NOT_READABLE,
    PDF_PAGES,
    TOO_MANY_PIXELS,
    KtpError,
    process_ktp_upload,
)
from enrollment.models import Farmer
from enrollment.services import NikAlreadyRegistered, Registration, farmer_correct, farmer_register
from tests.conftest import jpeg_bytes, registration_fields

SECRET = b"NIK 7312044501900001 HASNAH"


# Each test gets its own private storage (tests/enrollment/conftest.py).
pytestmark = pytest.mark.usefixtures("private_media")


def ktp_files(settings) -> list[str]:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "ktp"
    return sorted(f"ktp/{p.name}" for p in folder.iterdir()) if folder.exists() else []


def upload(data: bytes, name: str = "ktp.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def jpeg_markers(data: bytes) -> list[int]:
    """The markers of a JPEG's header segments, from SOI up to the start of the image data."""
    assert data[:2] == b"\xff\xd8"
    markers, at = [], 2
    while True:
        assert data[at] == 0xFF
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        chunks.append(data[at + 4 : at + 8])
        at += 12 + length
    return chunks


def png_declaring(width: int, height: int) -> bytes:
    """A few bytes of PNG whose header declares the given size; no pixel data behind it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def pdf_bytes(*objects: str, catalog: str = "", page: str = "", trailer: str = "") -> bytes:
    """A hand-made PDF: 1 is the catalog, 2 the page tree, 3 its one page; more objects from 4 on."""
    body = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog}>>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 242 153] {page}>>",
        *objects,
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, text in enumerate(body, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{text}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(body) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(body) + 1} /Root 1 0 R {trailer}>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def written_by_pypdf(pages: int, **encrypt) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(242, 153)
    if encrypt:
        writer.encrypt(**encrypt)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# Images


def test_it_refuses_a_png_by_its_declared_size_before_decoding_a_pixel(monkeypatch):
    image = io.BytesIO()
    Image.new("1", (9000, 9000)).save(image, format="PNG")  # 81 million pixels in about 10 KB
    assert len(image.getvalue()) < 100_000

    def no_decoding(self, *args, **kwargs):
        raise AssertionError("decoded before the size was checked")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    monkeypatch.setattr(Image.Image, "load", no_decoding)
    with pytest.raises(KtpError) as refused:
        process_ktp_upload(upload(image.getvalue(), "ktp.png"))
    assert str(refused.value) == TOO_MANY_PIXELS
    assert "30 juta piksel" in TOO_MANY_PIXELS and "10.000 piksel per sisi" in TOO_MANY_PIXELS


@pytest.mark.parametrize(
    ("width", "height"), [(100_000, 100_000), (12_000, 10), (6_000, 6_000)], ids=["billions", "one-side", "36MP"]
)
def test_it_refuses_a_header_that_declares_too_many_pixels(width, height):
    with pytest.raises(KtpError) as refused:
        process_ktp_upload(upload(png_declaring(width, height), "ktp.png"))
    assert str(refused.value) == TOO_MANY_PIXELS


def test_a_large_phone_photo_is_scaled_down_to_1600_pixels():
    cleaned = process_ktp_upload(upload(jpeg_bytes(size=(4000, 3000))))
    with Image.open(io.BytesIO(cleaned.content.read())) as image:
        assert (image.format, image.size) == ("JPEG", (1600, 1200))


def test_the_stored_jpeg_carries_no_comment_exif_xmp_or_icc_profile():
    exif = Image.Exif()
    exif[0x010F] = "KameraUji"
    exif[0x010E] = SECRET.decode()  # ImageDescription
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>' + SECRET + b"</rdf:Description></x:xmpmeta>"
    original = io.BytesIO()
    Image.new("RGB", (640, 400), (200, 180, 150)).save(
        original, format="JPEG", comment=SECRET, exif=exif, icc_profile=icc, xmp=xmp
    )
    source_markers = jpeg_markers(original.getvalue())
    assert {0xFE, 0xE1, 0xE2} <= set(source_markers)  # the test file really has them all

    cleaned = process_ktp_upload(upload(original.getvalue())).content.read()

    markers = jpeg_markers(cleaned)
    assert 0xFE not in markers  # COM
    assert not {0xE1, 0xE2} & set(markers)  # APP1 (EXIF, XMP), APP2 (ICC, MPF)
    assert SECRET not in cleaned and b"KameraUji" not in cleaned


def test_the_cameras_rotation_is_applied_before_the_exif_goes():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    original = io.BytesIO()
    Image.new("RGB", (600, 400), (10, 120, 200)).save(original, format="JPEG", exif=exif)
    cleaned = process_ktp_upload(upload(original.getvalue())).content.read()
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.size == (400, 600) and not image.getexif()


def test_a_phones_multi_picture_jpeg_is_kept_as_a_plain_jpeg_of_its_first_frame():
    original = io.BytesIO()
    first, second = Image.new("RGB", (320, 200), (250, 0, 0)), Image.new("RGB", (320, 200), (0, 0, 250))
    first.save(original, format="MPO", save_all=True, append_images=[second], comment=SECRET)
    with Image.open(io.BytesIO(original.getvalue())) as check:
        assert check.format == "MPO" and check.n_frames == 2

    cleaned = process_ktp_upload(upload(original.getvalue()))

    data = cleaned.content.read()
    assert cleaned.content.name == "ktp.jpg" and cleaned.content_type == "image/jpeg"
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and getattr(image, "n_frames", 1) == 1
        red, green, blue = image.convert("RGB").getpixel((160, 100))
        assert red > 200 and blue < 50
    assert 0xE2 not in jpeg_markers(data) and SECRET not in data


def test_a_png_keeps_its_pixels_and_nothing_else():
    text = PngInfo()
    text.add_text("Comment", SECRET.decode())
    text.add_itxt("Description", SECRET.decode())
    exif = Image.Exif()
    exif[0x010E] = SECRET.decode()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 90, 30, 255)).save(
        original, format="PNG", pnginfo=text, exif=exif, icc_profile=icc
    )
    assert {b"tEXt", b"iTXt", b"eXIf", b"iCCP"} <= set(png_chunks(original.getvalue()))

    cleaned = process_ktp_upload(upload(original.getvalue(), "ktp.png"))

    data = cleaned.content.read()
    assert cleaned.content.name == "ktp.png"
    assert set(png_chunks(data)) <= {b"IHDR", b"IDAT", b"IEND"}
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (300, 200) and image.getpixel((5, 5)) == (0, 90, 30, 255)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("ktp.html", b"<!doctype html><script>alert(document.cookie)</script>"),
        ("ktp.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("ktp.js", b"fetch('/petani/').then(r => r.text())"),
        ("ktp.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        ("ktp.jpg", b"\xff\xd8\xff\xe0 broken"),
    ],
    ids=["html", "svg", "js", "gif", "broken-jpeg"],
)
def test_it_refuses_anything_but_a_readable_jpeg_png_or_pdf(name, data):
    with pytest.raises(KtpError) as refused:
        process_ktp_upload(upload(data, name))
    assert str(refused.value) == NOT_READABLE


# PDFs


def test_a_pdf_is_stored_rebuilt_from_its_pages_alone():
    original = (
        pdf_bytes("<< /Author (HASNAH) /Title (KTP 7312044501900001) >>", trailer="/Info 4 0 R")
        + b"<html><script>alert(1)</script></html>"
    )

    cleaned = process_ktp_upload(upload(original, "ktp.pdf"))

    data = cleaned.content.read()
    assert cleaned.content.name == "ktp.pdf" and cleaned.content_type == "application/pdf"
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    assert b"<script" not in data and b"HASNAH" not in data and b"7312044501900001" not in data


@pytest.mark.parametrize(
    "original",
    [
        pdf_bytes("<< /S /JavaScript /JS (app.alert(1)) >>", catalog="/OpenAction 4 0 R"),
        pdf_bytes("<< /Names [(a) 5 0 R] >>", "<< /S /JavaScript /JS (x) >>", catalog="/Names << /JavaScript 4 0 R >>"),
        pdf_bytes(page="/AA << /O << /S /Launch /F (cmd.exe) >> >>"),
        pdf_bytes(page="/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /JavaScript /JS (x) >> >>]"),
        pdf_bytes(
            "<< /Type /EmbeddedFile /Length 5 >>\nstream\nMZ\x90\x00\x03\nendstream",
            catalog="/Names << /EmbeddedFiles << /Names [(a.exe) << /Type /Filespec /EF << /F 4 0 R >> >>] >> >>",
        ),
        pdf_bytes(page="/Annots [<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>]"),
        pdf_bytes("<< /Length 0 >>\nstream\n\nendstream", catalog="/AcroForm << /Fields [] /XFA 4 0 R >>"),
        # The same names written with #xx escapes, as a filter on raw bytes would miss them.
        pdf_bytes("<< /S /J#61vaScript /J#53 (app.alert(1)) >>", catalog="/Open#41ction 4 0 R"),
    ],
    ids=["openaction", "names-javascript", "launch", "link-javascript", "embedded-file", "richmedia", "xfa", "escaped"],
)
def test_a_pdf_with_a_script_action_or_attachment_is_refused(original):
    with pytest.raises(KtpError) as refused:
        process_ktp_upload(upload(original, "ktp.pdf"))
    assert (
        str(refused.value) == PDF_ACTIVE == "PDF berisi skrip atau lampiran; pindai ulang sebagai foto atau PDF biasa."
    )


def test_a_pdf_of_more_than_four_pages_is_refused():
    assert process_ktp_upload(upload(written_by_pypdf(4), "ktp.pdf")).content_type == "application/pdf"
    with pytest.raises(KtpError, match=PDF_PAGES):
        process_ktp_upload(upload(written_by_pypdf(5), "ktp.pdf"))


def test_a_pdf_locked_with_a_password_is_refused():
    with pytest.raises(KtpError, match=PDF_ENCRYPTED):
        process_ktp_upload(upload(written_by_pypdf(1, user_password="rahasia", algorithm="RC4-128"), "ktp.pdf"))


@pytest.mark.parametrize(
    "original",
    [b"%PDF-1.7\nnot a pdf at all", pdf_bytes()[:80], b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\n"],
    ids=["garbage", "truncated", "dangling"],
)
def test_a_pdf_that_cannot_be_parsed_is_refused(original):
    with pytest.raises(KtpError) as refused:
        process_ktp_upload(upload(original, "ktp.pdf"))
    assert str(refused.value) == PDF_NOT_READABLE


def test_a_pdf_built_with_too_many_objects_to_check_is_refused():
    chain = [f"<< /Next {number + 5} 0 R >>" for number in range(25_000)] + ["<< >>"]
    with pytest.raises(KtpError) as refused:
        process_ktp_upload(upload(pdf_bytes(*chain, catalog="/Chain 4 0 R"), "ktp.pdf"))
    assert str(refused.value) == PDF_NOT_READABLE


# Saving


def ktp(data: bytes | None = None) -> object:
    return process_ktp_upload(upload(data or jpeg_bytes()))


def register(user, *, with_ktp=True, **overrides) -> Farmer:
    village = overrides.pop("village", None) or user.agent.villages.first()
    return farmer_register(
        user=user,
        registration=Registration(fields=registration_fields(village, **overrides), ktp=ktp() if with_ktp else None),
    )


def test_a_stored_ktp_is_readable_by_the_apps_own_user_only(settings, agent_user):
    farmer = register(agent_user)
    path = Path(farmer.ktp_image.path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert Path(settings.PRIVATE_MEDIA_ROOT).stat().st_mode & 0o777 == 0o700


def test_a_registration_refused_for_a_taken_nik_leaves_no_file(settings, agent_user):
    register(agent_user, with_ktp=False)
    with pytest.raises(NikAlreadyRegistered):
        register(agent_user, name="ORANG LAIN")
    assert ktp_files(settings) == []


def test_a_registration_refused_by_the_models_checks_leaves_no_file(settings, agent_user):
    with pytest.raises(services.ValidationError):
        register(agent_user, rt="12345")
    assert ktp_files(settings) == [] and not Farmer.objects.exists()


def test_a_registration_that_fails_inside_the_save_leaves_no_file(settings, agent_user, monkeypatch):
    def broken_queue(farmer):
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr(services, "queue_registration", broken_queue)
    with pytest.raises(RuntimeError):
        register(agent_user)
    assert ktp_files(settings) == [] and not Farmer.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_registration_that_fails_at_commit_leaves_no_file(settings, agent_user, monkeypatch):
    def queue_with_a_bad_reference(farmer):
        # Foreign keys are checked at COMMIT on PostgreSQL: the failure comes after every statement ran.
        Farmer.objects.filter(pk=farmer.pk).update(agent_id=987654)

    monkeypatch.setattr(services, "queue_registration", queue_with_a_bad_reference)
    with pytest.raises(IntegrityError):
        register(agent_user)
    assert ktp_files(settings) == [] and not Farmer.objects.exists()


def refused_by_bpjs(farmer: Farmer) -> Farmer:
    Farmer.objects.filter(pk=farmer.pk).update(registration_status="DITOLAK")
    farmer.refresh_from_db()
    return farmer


def correction_fields(farmer: Farmer) -> dict:
    return {name: getattr(farmer, name) for name in registration_fields(farmer.village)}


def test_a_corrected_ktp_replaces_the_old_file_once_the_correction_is_committed(
    settings, agent_user, django_capture_on_commit_callbacks
):
    farmer = refused_by_bpjs(register(agent_user))
    old = farmer.ktp_image.name

    with django_capture_on_commit_callbacks() as callbacks:
        corrected = farmer_correct(
            farmer=farmer, fields=correction_fields(farmer), ktp=ktp(jpeg_bytes(size=(500, 300)))
        )
        assert ktp_files(settings) == sorted([old, corrected.ktp_image.name])  # not before the commit
    for callback in callbacks:
        callback()

    assert ktp_files(settings) == [corrected.ktp_image.name] != [old]
    assert Farmer.objects.get(pk=farmer.pk).ktp_image.name == corrected.ktp_image.name


def test_a_correction_that_fails_keeps_the_old_file_and_removes_the_new_one(
    settings, agent_user, monkeypatch, django_capture_on_commit_callbacks
):
    farmer = refused_by_bpjs(register(agent_user))
    old = farmer.ktp_image.name

    def broken_queue(farmer):
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr(services, "queue_registration", broken_queue)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        farmer_correct(farmer=farmer, fields=correction_fields(farmer), ktp=ktp())

    assert callbacks == []  # the old file's removal went with the rolled back savepoint
    assert ktp_files(settings) == [old] and Farmer.objects.get(pk=farmer.pk).ktp_image.name == old


# Serving


def test_the_ktp_photo_is_served_as_an_image_that_nothing_keeps(client, agent_user):
    farmer = register(agent_user)
    client.force_login(agent_user)
    response = client.get(reverse("enrollment:farmer_ktp", args=[farmer.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline;")
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_pdf_ktp_is_served_as_a_download(client, agent_user):
    farmer = register(agent_user, with_ktp=False)
    farmer.ktp_image.save("ktp.pdf", process_ktp_upload(upload(pdf_bytes(), "ktp.pdf")).content)
    client.force_login(agent_user)
    response = client.get(reverse("enrollment:farmer_ktp", args=[farmer.pk]))
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.parametrize("extension", ["html", "svg", "js", "jpeg", ""])
def test_a_stray_file_under_the_farmers_ktp_name_is_not_served(client, agent_user, extension):
    farmer = register(agent_user, with_ktp=False)
    name = farmer.ktp_image.storage.save(
        f"ktp/1c0ffee{'.' if extension else ''}{extension}", ContentFile(b"<script>alert(1)</script>")
    )
    Farmer.objects.filter(pk=farmer.pk).update(ktp_image=name)
    client.force_login(agent_user)
    assert client.get(reverse("enrollment:farmer_ktp", args=[farmer.pk])).status_code == 404


def test_a_ktp_missing_from_disk_is_404(client, agent_user):
    farmer = register(agent_user)
    farmer.ktp_image.storage.delete(farmer.ktp_image.name)
    client.force_login(agent_user)
    assert client.get(reverse("enrollment:farmer_ktp", args=[farmer.pk])).status_code == 404


# Orphans


def test_ktp_orphans_lists_unused_files_and_deletes_only_those_older_than_an_hour(settings, agent_user):
    used = register(agent_user).ktp_image.name
    storage = Farmer._meta.get_field("ktp_image").storage
    old_orphan = storage.save("ktp/old.jpg", ContentFile(jpeg_bytes()))
    new_orphan = storage.save("ktp/new.jpg", ContentFile(jpeg_bytes()))
    two_hours_ago = time.time() - 2 * 3600
    os.utime(storage.path(old_orphan), (two_hours_ago, two_hours_ago))
    os.utime(storage.path(used), (two_hours_ago, two_hours_ago))

    listing = io.StringIO()
    call_command("ktp_orphans", stdout=listing)
    assert listing.getvalue().splitlines() == [new_orphan, old_orphan, "berkas KTP yatim: 2"]
    assert ktp_files(settings) == sorted([used, old_orphan, new_orphan])

    deleting = io.StringIO()
    call_command("ktp_orphans", "--delete", stdout=deleting)
    assert f"dihapus: {old_orphan}" in deleting.getvalue() and "dihapus: 1" in deleting.getvalue()
    assert ktp_files(settings) == sorted([used, new_orphan])


def test_ktp_orphans_is_quiet_when_there_is_no_ktp_folder_yet(db):
    out = io.StringIO()
    call_command("ktp_orphans", "--delete", stdout=out)
    assert out.getvalue().strip() == "berkas KTP yatim: 0, dihapus: 0"


def test_who_opened_a_ktp_is_logged(client, agent_user, koordinator_user):
    from django.core.files.base import ContentFile

    from audit.models import AccessLog, Action
    from enrollment.ktp import KtpFile
    from enrollment.services import HeirData, Registration, farmer_register
    from tests.conftest import jpeg_bytes, registration_fields

    farmer = farmer_register(
        user=agent_user,
        registration=Registration(
            fields=registration_fields(agent_user.agent.villages.first()),
            heirs=[HeirData(name="ANDI BASO", relation="SUAMI")],
            ktp=KtpFile(ContentFile(jpeg_bytes(), name="ktp.jpg"), "image/jpeg"),
        ),
    )
    client.force_login(koordinator_user)
    assert client.get(reverse("enrollment:farmer_ktp", args=[farmer.pk])).status_code == 200
    entry = AccessLog.objects.get(action=Action.VIEW_KTP)
    assert (entry.user, entry.subject) == (koordinator_user, f"petani:{farmer.pk}")
