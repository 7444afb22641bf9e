"""Intake of a KTP photo or scan: check what it really is, strip what it should not carry.

A KTP is personal data (UU 27/2022). Every door that stores one (registration, correction, Django
admin) goes through process_ktp_upload(), and only what it returns is ever stored: a JPEG or PNG
redrawn from its pixels alone, or a PDF rebuilt from its pages alone.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MAX_MB = 5
MAX_BYTES = MAX_MB * 1024 * 1024
# A KTP stays legible at this size and a phone on 3G loads it in seconds.
MAX_SIDE_PX = 1600
# Checked on the size the header declares, before a single pixel is decoded: a few KB of PNG can
# declare gigabytes of pixels. A phone photo that fits in 5 MB is well under 30 MP (a 50 MP sensor
# saves 12.5 MP by default), and an A4 scan at 300 dpi is 8.7 MP; the worst case that passes, an
# RGBA PNG, decodes to about 120 MB.
MAX_DECLARED_PIXELS = 30_000_000
MAX_DECLARED_SIDE_PX = 10_000
# A KTP is one card: front and back, perhaps on separate pages of a scan.
MAX_PDF_PAGES = 4
# Dictionaries and arrays walked in one PDF: a scan has dozens, a file built to stall us millions.
MAX_PDF_OBJECTS = 20_000
# Names that make a PDF do something when opened or clicked, or carry other files inside it.
ACTIVE_PDF_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/EF",
        "/FileAttachment",
        "/RichMedia",
        "/RichMediaExecute",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
        "/GoToR",
        "/Rendition",
        "/Movie",
        "/Sound",
    }
)
# What is stored, by the extension process_ktp_upload gives it; nothing else is ever served.
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}


def too_big(label: str) -> str:
    return f"Berkas {label} terlalu besar (maksimal {MAX_MB} MB)."


def pdf_pages(label: str, pages: int) -> str:
    return f"PDF {label} harus 1–{pages} halaman."


TOO_BIG = too_big("KTP")
NOT_READABLE = "Berkas bukan foto atau PDF yang bisa dibaca. Gunakan JPG, PNG atau PDF."
TOO_MANY_PIXELS = (
    f"Resolusi foto KTP terlalu besar (paling banyak {MAX_DECLARED_PIXELS // 1_000_000} juta piksel dan "
    f"{MAX_DECLARED_SIDE_PX // 1000}.000 piksel per sisi). Kirim foto dengan resolusi lebih kecil."
)
PDF_NOT_READABLE = "Berkas PDF rusak atau tidak bisa dibaca. Pindai ulang sebagai foto atau PDF biasa."
PDF_ENCRYPTED = "PDF dikunci dengan kata sandi. Kirim PDF tanpa kata sandi, atau fotonya."
PDF_ACTIVE = "PDF berisi skrip atau lampiran; pindai ulang sebagai foto atau PDF biasa."
PDF_PAGES = pdf_pages("KTP", MAX_PDF_PAGES)


class KtpError(ValueError):
    """The file is not a usable KTP image; the message is for the agent."""


@dataclass(frozen=True)
class KtpFile:
    content: ContentFile
    content_type: str


def process_ktp_upload(upload: UploadedFile) -> KtpFile:
    """Check an uploaded KTP and return a clean copy to store, or raise KtpError saying why not."""
    return clean_upload(upload, label="KTP", max_pdf_pages=MAX_PDF_PAGES)


def clean_upload(upload: UploadedFile, *, label: str, max_pdf_pages: int) -> KtpFile:
    """The one intake of every photo or scan (a KTP, a claim's documents): checked by what it is,
    rebuilt without what it should not carry; KtpError says why not, naming the `label`."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise KtpError(too_big(label))
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise KtpError(too_big(label))
    if data.startswith(b"%PDF-"):
        return _clean_pdf(data, label=label, max_pages=max_pdf_pages)
    return _clean_image(data)


def _clean_image(data: bytes) -> KtpFile:
    try:
        # Only the two parsers we need (a phone's MPO comes through the JPEG one).
        with Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]) as image:
            _refuse_declared_size(*image.size)
            is_png = image.format == "PNG"
            if not is_png:
                # Decode at 1/2, 1/4 or 1/8 of the size when that still covers MAX_SIDE_PX.
                image.draft("RGB", (MAX_SIDE_PX, MAX_SIDE_PX))
            image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
            # The camera's rotation, applied while the EXIF is still at hand.
            image = ImageOps.exif_transpose(image)
            if is_png:
                clean = _pixels_only(image, _png_mode(image))
                out = io.BytesIO()
                clean.save(out, format="PNG", optimize=True)
                return KtpFile(ContentFile(out.getvalue(), name="ktp.png"), "image/png")
            clean = _pixels_only(image, "L" if image.mode == "L" else "RGB")
            out = io.BytesIO()
            clean.save(out, format="JPEG", quality=85, optimize=True)
            return KtpFile(ContentFile(out.getvalue(), name="ktp.jpg"), "image/jpeg")
    except KtpError:
        raise  # ours, and a ValueError: not to be caught below
    except Image.DecompressionBombError as exc:
        # Pillow's own, coarser limit, checked as it opens: a header declaring billions of pixels.
        raise KtpError(TOO_MANY_PIXELS) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        # OSError includes UnidentifiedImageError: a GIF, SVG, HTML or anything else lands here.
        raise KtpError(NOT_READABLE) from exc


def _refuse_declared_size(width: int, height: int) -> None:
    if width < 1 or height < 1 or max(width, height) > MAX_DECLARED_SIDE_PX or width * height > MAX_DECLARED_PIXELS:
        raise KtpError(TOO_MANY_PIXELS)


def _png_mode(image: Image.Image) -> str:
    if image.mode in {"1", "L", "LA", "RGB", "RGBA"}:
        return image.mode
    transparent = "A" in image.mode or "transparency" in image.info
    return "RGBA" if transparent else "RGB"


def _pixels_only(image: Image.Image, mode: str) -> Image.Image:
    # A new image from the raw pixels: no EXIF, XMP, ICC profile, comment or text chunk can follow,
    # whatever Pillow would otherwise carry over from .info when saving.
    pixels = image if image.mode == mode else image.convert(mode)
    return Image.frombytes(mode, pixels.size, pixels.tobytes())


def _clean_pdf(data: bytes, *, label: str, max_pages: int) -> KtpFile:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            problem = PDF_ENCRYPTED
        elif not 1 <= len(reader.pages) <= max_pages:
            problem = pdf_pages(label, max_pages)
        elif _has_active_content(reader):
            problem = PDF_ACTIVE
        else:
            return KtpFile(ContentFile(_rebuilt(reader), name="ktp.pdf"), "application/pdf")
    except Exception as exc:
        # On hostile input pypdf fails in many ways (its own errors, but also KeyError, TypeError,
        # RecursionError...): whatever it cannot read, we do not store.
        raise KtpError(PDF_NOT_READABLE) from exc
    raise KtpError(problem)


def _has_active_content(reader: PdfReader) -> bool:
    """Whether any object reachable from the trailer names an action, a script or an attached file."""
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, NameObject) and item in ACTIVE_PDF_NAMES:
            return True
        if isinstance(item, (DictionaryObject, ArrayObject)):
            visited += 1
            if visited > MAX_PDF_OBJECTS:
                raise ValueError("too many PDF objects to check")
        if isinstance(item, DictionaryObject):
            # dict's own items(): the raw values, so indirect references are tracked in `seen`.
            for key, value in dict.items(item):
                if key in ACTIVE_PDF_NAMES:
                    return True
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False


def _rebuilt(reader: PdfReader) -> bytes:
    # Only the pages go across: no catalog actions, names tree, outlines, forms, document metadata,
    # nor anything appended after the last %%EOF (a PDF that is also an HTML page loses the HTML).
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page, excluded_keys=("/AA", "/Annots", "/Metadata", "/PieceInfo", "/B"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
