"""Reading a KTP photo with Tesseract, so the agent checks the fields instead of typing them.

What is read is a suggestion: every field carries a confidence (0–1) and, where the reading
disagrees with itself, a note for the agent. The NIK is checked against the rules and against the
birth date and sex printed on the card, which it encodes (docs/domain-rules.md#nik): a misread
digit is corrected only when exactly one digit explains the disagreement, and is always flagged.

Steps: find the card's four corners (the largest bright quadrilateral), straighten it to a flat
card, even out the light, read the fields below the heading in one pass, then the NIK line again
alone with digits only.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from dataclasses import dataclass, field, fields
from difflib import SequenceMatcher, get_close_matches
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytesseract
from django.core.files import File
from django.utils import timezone
from PIL import Image, ImageOps

from enrollment.ktp import KtpError, process_ktp_upload
from enrollment.nik import FEMALE_DAY_OFFSET, NikError, nik_mismatches, parse_nik

# The images here are small: OpenCV's own thread pool would only compete with the web workers and
# Tesseract for the server's two cores.
cv2.setNumThreads(1)

# The card straightened to 85.6 × 54 mm at about 14 px/mm: the fields' letters end up about
# 25 px tall, where Tesseract reads best.
CARD_W, CARD_H = 1200, 756
# Width over height of a card seen at an angle: 1.59 flat, less or more in perspective.
CARD_ASPECT_MIN, CARD_ASPECT_MAX = 1.25, 2.0
# The photo sits in the right quarter of a KTP; the fields are left of it, below the heading.
FIELDS_BOX = (0.0, 0.155, 0.75, 1.0)
MAX_SIDE_PX = 1600
# Each Tesseract run is killed past this: a read (at most two runs) never holds a request more than
# half a minute, even on a server too busy to read a card in its usual second.
TESSERACT_TIMEOUT_S = 15
LANGUAGE = "ind"
# The card is dark on light: the pass that looks for light-on-dark text only costs time.
FIELDS_CONFIG = "--psm 6 -c tessedit_do_invert=0"
DIGITS_CONFIG = "--psm 7 -c tessedit_do_invert=0 -c tessedit_char_whitelist=0123456789:"

READING_UNAVAILABLE = "Pembacaan KTP otomatis tidak tersedia di server ini. Isi data dari KTP secara manual."
PDF_NOT_READ = "KTP berupa PDF tidak dibaca otomatis. Isi data dari KTP secara manual."
LOW_CONFIDENCE = 0.6
NIK_AGREES = 0.9  # the confidence of a valid NIK that agrees with the birth date and sex printed apart
NIK_CORRECTED = (
    "Satu angka NIK terbaca tidak cocok dengan tanggal lahir dan jenis kelamin di KTP; sudah disesuaikan — periksa."
)
NIK_DISAGREES = "NIK yang terbaca tidak cocok dengan tanggal lahir atau jenis kelamin di KTP — periksa angka NIK."
NIK_TWO_READS = "Dua pembacaan NIK berbeda di empat angka terakhir — periksa angka NIK."
NIK_INVALID = "NIK tidak terbaca utuh — periksa dan ketik ulang."
FROM_NIK = "Tidak terbaca di foto; diambil dari NIK — periksa."

# Label on the card -> the field it introduces; compared on letters only, lower case.
LABELS = {
    "nik": "nik",
    "nama": "nama",
    "tempatgllahir": "tempat_tgl_lahir",
    "tempattgllahir": "tempat_tgl_lahir",
    "jeniskelamin": "jenis_kelamin",
    "alamat": "alamat",
    "rtrw": "rt_rw",
    "keldesa": "desa",
    "kecamatan": "kecamatan",
    "agama": "agama",
    "statusperkawinan": "status",
    "pekerjaan": "pekerjaan",
    "kewarganegaraan": "kewarganegaraan",
    "berlakuhingga": "berlaku",
}
# How KTP addresses begin, from what Tesseract makes of them ("LI" often comes out as "U").
ADDRESS_WORDS = {"UNGK.": "LINGK.", "UNGK": "LINGK.", "LINGK": "LINGK.", "JL": "JL.", "JLN.": "JL.", "DSN.": "DUSUN"}
COLON_MISREAD = frozenset({"1", "|", "i", "I", "l", "!", ";", "¦"})
# Letters Tesseract gives for digits in a field that holds only digits.
AS_DIGIT = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "D": "0",
        "Q": "0",
        "I": "1",
        "l": "1",
        "|": "1",
        "i": "1",
        "Z": "2",
        "S": "5",
        "s": "5",
        "B": "8",
        "G": "6",
        "b": "6",
        "T": "7",
        "g": "9",
    }
)


@dataclass(frozen=True)
class Reading:
    value: str = ""
    confidence: float = 0.0
    note: str = ""


@dataclass(frozen=True)
class KtpReading:
    nik: Reading = field(default_factory=Reading)
    nama: Reading = field(default_factory=Reading)
    tempat_lahir: Reading = field(default_factory=Reading)
    tanggal_lahir: Reading = field(default_factory=Reading)  # YYYY-MM-DD
    jenis_kelamin: Reading = field(default_factory=Reading)  # L or P
    alamat: Reading = field(default_factory=Reading)
    rt_rw: Reading = field(default_factory=Reading)  # 003/002
    desa: Reading = field(default_factory=Reading)
    kecamatan: Reading = field(default_factory=Reading)

    def as_json(self) -> dict[str, object]:
        names = [f.name for f in fields(self)]
        return {
            **{name: getattr(self, name).value for name in names},
            "confidence": {name: round(getattr(self, name).confidence, 2) for name in names},
            "catatan": {name: getattr(self, name).note for name in names if getattr(self, name).note},
        }


class KtpReadingError(RuntimeError):
    """Tesseract failed or took too long; the form stays as it is."""


@cache
def _languages(command: str) -> frozenset[str]:
    # Keyed by the command pytesseract will run, so a server (or a test) that changes it asks again.
    try:
        return frozenset(pytesseract.get_languages())
    except (pytesseract.TesseractError, OSError):
        return frozenset()


def reading_available() -> bool:
    """Whether this server has Tesseract with the Indonesian model (Debian: tesseract-ocr-ind)."""
    command = pytesseract.pytesseract.tesseract_cmd
    return shutil.which(command) is not None and LANGUAGE in _languages(command)


def read_upload(upload: File) -> KtpReading:
    """Read an uploaded photo after the intake every KTP goes through (size, type, pixels: enrollment/ktp.py).
    Raises KtpError for a file the intake refuses or a PDF, KtpReadingError when Tesseract fails."""
    clean = process_ktp_upload(upload)
    if clean.content_type == "application/pdf":
        raise KtpError(PDF_NOT_READ)
    return read_ktp(clean.content.read())


def read_ktp(image: Image.Image | bytes | str | Path, *, preprocess: bool = True) -> KtpReading:
    """Read a KTP photo. `preprocess=False` is plain Tesseract on the photo as taken (the baseline
    `make bench` compares against). Raises KtpReadingError when Tesseract fails or times out."""
    photo = _as_image(image)
    try:
        if not preprocess:
            return _interpret(_lines(photo, "--psm 3"), nik_digits=None)
        card = straightened_card(photo)
        width, height = card.size
        box = tuple(int(f * s) for f, s in zip(FIELDS_BOX, (width, height, width, height), strict=True))
        body = card.crop(box)
        reading = _interpret(lines := _lines(body, FIELDS_CONFIG), nik_digits=None)
        if reading.nik.confidence >= NIK_AGREES:
            return reading  # agrees with the birth date and sex: no second look needed
        nik_lines = [line for line in lines if line.label == "nik"]
        if not nik_lines:
            return reading
        digits = _read_nik_digits(body, _most_digits(nik_lines))
        return _interpret(lines, nik_digits=digits)
    except RuntimeError as exc:  # pytesseract's timeout
        raise KtpReadingError(str(exc)) from exc
    except (pytesseract.TesseractError, OSError) as exc:
        raise KtpReadingError(str(exc)) from exc


def _as_image(image: Image.Image | bytes | str | Path) -> Image.Image:
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    elif isinstance(image, (str, Path)):
        image = Image.open(image)
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
    return image.convert("RGB")


# --- finding and straightening the card -------------------------------------------------------


def straightened_card(photo: Image.Image) -> Image.Image:
    """The card cut out, flat and upright, in grey with the light evened out; the whole photo,
    levelled, when no card's edge can be found (a scan, or a card filling the frame)."""
    grey = cv2.cvtColor(np.asarray(photo), cv2.COLOR_RGB2GRAY)
    corners = _card_corners(grey)
    if corners is None:
        flat = grey
    else:
        target = np.array([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]], dtype=np.float32)
        matrix = cv2.getPerspectiveTransform(corners, target)
        flat = cv2.warpPerspective(grey, matrix, (CARD_W, CARD_H), flags=cv2.INTER_CUBIC)
    return Image.fromarray(_even_light(flat))


def _card_corners(grey: np.ndarray) -> np.ndarray | None:
    scale = 800 / max(grey.shape)
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    blurred = cv2.GaussianBlur(small, (7, 7), 0)
    area = small.shape[0] * small.shape[1]
    # A light card on a darker table (Otsu), or any card whose edge shows (Canny).
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    edges = cv2.dilate(cv2.Canny(blurred, 30, 90), np.ones((5, 5), np.uint8))
    best, best_area = None, 0.0
    for mask in (bright, edges):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:2]:
            quad = _quadrilateral(contour)
            quad_area = cv2.contourArea(quad)
            # A card's outline fills its four corners and has a card's shape; a patterned table
            # caught with it does neither.
            if (
                0.15 * area < quad_area < 0.98 * area
                and cv2.contourArea(contour) > 0.93 * quad_area
                and _card_shaped(quad.reshape(4, 2).astype(np.float32))
                and quad_area > best_area
            ):
                best, best_area = quad, quad_area
    if best is None:
        return None
    return _ordered(best.reshape(4, 2).astype(np.float32) / scale)


def _card_shaped(points: np.ndarray) -> bool:
    ordered = _ordered(points)
    sides = [np.linalg.norm(ordered[(i + 1) % 4] - ordered[i]) for i in range(4)]
    ratio = (sides[0] + sides[2]) / max(1.0, sides[1] + sides[3])
    return CARD_ASPECT_MIN <= ratio <= CARD_ASPECT_MAX


def _quadrilateral(contour: np.ndarray) -> np.ndarray | None:
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for epsilon in (0.02, 0.04, 0.06):
        approx = cv2.approxPolyDP(hull, epsilon * perimeter, True)
        if len(approx) == 4:
            return approx
    # Rounded corners or a finger over one: the tightest rotated rectangle instead.
    return cv2.boxPoints(cv2.minAreaRect(hull)).reshape(4, 1, 2).astype(np.int32)


def _ordered(points: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left; the card's long side is its width."""
    centre = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    points = points[np.argsort(angles)]  # clockwise on screen, starting from the left-most angle
    start = int(np.argmin(points.sum(axis=1)))
    points = np.roll(points, -start, axis=0)
    top, side = np.linalg.norm(points[1] - points[0]), np.linalg.norm(points[3] - points[0])
    if side > top:  # a card held in portrait: its top edge is the left one
        points = np.roll(points, 1, axis=0)
    return points.astype(np.float32)


def _even_light(grey: np.ndarray) -> np.ndarray:
    """Divide by the page's own brightness, so a shadow or a lamp leaves the letters as dark as elsewhere."""
    background = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, np.ones((25, 25), np.uint8))
    background = cv2.GaussianBlur(background, (0, 0), 9)
    flat = cv2.divide(grey, background, scale=255)
    return cv2.normalize(flat, None, 0, 255, cv2.NORM_MINMAX)


# --- Tesseract --------------------------------------------------------------------------------


@dataclass
class Line:
    words: list[str]
    confidences: list[float]
    box: tuple[int, int, int, int]  # left, top, right, bottom
    label: str = ""
    value_from: int = 0  # index of the first word of the value

    def _value(self) -> list[tuple[str, float]]:
        pairs = list(zip(self.words, self.confidences, strict=True))[self.value_from :]
        # The colon after the label, alone or read as a stroke ("1", "|", "i").
        while pairs and (pairs[0][0].strip(":;.") == "" or (len(pairs) > 1 and pairs[0][0] in COLON_MISREAD)):
            pairs.pop(0)
        if pairs:
            pairs[0] = (pairs[0][0].lstrip(":;."), pairs[0][1])
        return pairs

    @property
    def value(self) -> str:
        return " ".join(word for word, _ in self._value()).strip()

    @property
    def confidence(self) -> float:
        """The least sure word's, since one wrong letter makes the field wrong."""
        values = [conf for _, conf in self._value()] or [0.0]
        return max(0.0, min(values)) / 100


def _lines(image: Image.Image, config: str) -> list[Line]:
    data = pytesseract.image_to_data(
        image, lang=LANGUAGE, config=config, output_type=pytesseract.Output.DICT, timeout=TESSERACT_TIMEOUT_S
    )
    grouped: dict[tuple[int, int, int], Line] = {}
    for i, text in enumerate(data["text"]):
        if not text.strip():
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        left, top = data["left"][i], data["top"][i]
        right, bottom = left + data["width"][i], top + data["height"][i]
        line = grouped.get(key)
        if line is None:
            grouped[key] = Line([text], [float(data["conf"][i])], (left, top, right, bottom))
        else:
            line.words.append(text)
            line.confidences.append(float(data["conf"][i]))
            x0, y0, x1, y1 = line.box
            line.box = (min(x0, left), min(y0, top), max(x1, right), max(y1, bottom))
    lines = list(grouped.values())
    for line in lines:
        _label(line)
    return lines


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _label(line: Line) -> None:
    """Which field the line is, from its first one to three words (the label may be misread a little)."""
    best, best_ratio = ("", 0), 0.0
    for count in range(1, min(3, len(line.words)) + 1):
        head = " ".join(line.words[:count])
        before_colon = head.split(":")[0]
        key = _letters(before_colon)
        if not key:
            continue
        for known, name in LABELS.items():
            ratio = SequenceMatcher(None, key, known).ratio()
            if ratio > best_ratio:
                # A colon glued to the last word of the label ("Lahir:") still ends the label.
                best, best_ratio = (name, count), ratio
    if best_ratio >= 0.75:
        line.label, line.value_from = best
        # "Nama:" then the value in the same word after the colon.
        last = line.words[best[1] - 1]
        if ":" in last and last.split(":", 1)[1]:
            line.words[best[1] - 1 : best[1]] = [last.split(":", 1)[0], last.split(":", 1)[1]]


def _read_nik_digits(body: Image.Image, line: Line) -> tuple[str, float] | None:
    left, top, right, bottom = line.box
    pad = max(6, (bottom - top) // 3)
    crop = body.crop((max(0, left - pad), max(0, top - pad), min(body.width, right + 4 * pad), bottom + pad))
    # The label "NIK" would come out as digits under the whitelist: read from the colon on.
    words = line.words
    label_width = (right - left) * len(words[0]) // max(1, len(" ".join(words)))
    crop = crop.crop((min(crop.width - 1, label_width + pad), 0, crop.width, crop.height))
    data = pytesseract.image_to_data(
        crop, lang=LANGUAGE, config=DIGITS_CONFIG, output_type=pytesseract.Output.DICT, timeout=TESSERACT_TIMEOUT_S
    )
    texts = [t for t in data["text"] if t.strip()]
    confidences = [float(c) for t, c in zip(data["text"], data["conf"], strict=True) if t.strip()]
    digits = re.sub(r"\D", "", "".join(texts))
    if not digits:
        return None
    return digits, max(0.0, min(confidences)) / 100


# --- from lines to fields ---------------------------------------------------------------------


def _interpret(lines: list[Line], *, nik_digits: tuple[str, float] | None) -> KtpReading:
    by_label: dict[str, Line] = {}
    for line in lines:
        if line.label and line.label not in by_label:
            by_label[line.label] = line
    nik_lines = [line for line in lines if line.label == "nik"]
    if nik_lines:
        by_label["nik"] = _most_digits(nik_lines)
    found: dict[str, Reading] = {}
    for name in ("nama", "alamat", "desa", "kecamatan"):
        if line := by_label.get(name):
            found[name] = Reading(_upper_text(line.value), line.confidence)
    if "alamat" in found:
        words = found["alamat"].value.split(" ")
        words[0] = ADDRESS_WORDS.get(words[0], words[0])
        found["alamat"] = Reading(" ".join(words), found["alamat"].confidence)
    for name in ("desa", "kecamatan"):  # "DONRI -DONRI"
        if name in found:
            found[name] = Reading(re.sub(r"\s*-\s*", "-", found[name].value), found[name].confidence)
    if line := by_label.get("tempat_tgl_lahir"):
        place, born = _place_and_date(line.value)
        if place:
            found["tempat_lahir"] = Reading(place, line.confidence)
        if born:
            found["tanggal_lahir"] = Reading(born.isoformat(), line.confidence)
    if line := by_label.get("jenis_kelamin"):
        sex = _sex(line.value)
        if sex:
            found["jenis_kelamin"] = Reading(sex, line.confidence)
    if line := by_label.get("rt_rw"):
        rt_rw = _rt_rw(line.value)
        if rt_rw:
            found["rt_rw"] = Reading(rt_rw, line.confidence)
    candidates = []
    if nik_digits:
        candidates.append(nik_digits)
    if line := by_label.get("nik"):
        candidates.append((re.sub(r"\D", "", line.value.translate(AS_DIGIT)), line.confidence))
    else:  # the label lost: any run of 16 digits
        for line in lines:
            for word, confidence in zip(line.words, line.confidences, strict=True):
                if len(digits := re.sub(r"\D", "", word)) == 16:
                    candidates.append((digits, max(0.0, confidence) / 100))
    found.update(checked_nik(candidates, found.get("tanggal_lahir"), found.get("jenis_kelamin")))
    return KtpReading(**found)


def _most_digits(lines: list[Line]) -> Line:
    # A smudge above the NIK can pass for its label; the NIK line is the one with digits.
    return max(lines, key=lambda line: sum(c.isdigit() for c in line.value))


def _upper_text(value: str) -> str:
    value = re.sub(r"[^A-Za-z0-9'./,\- ]", "", value)
    words = value.split()
    if len(words) > 1 and len(words[0]) == 1 and not words[0].isalpha():
        words.pop(0)  # the colon after the label, misread as a digit
    return " ".join(words).strip(" .,-").upper()


def _place_and_date(value: str) -> tuple[str, dt.date | None]:
    """ "SOPPENG, 05-08-1985", perhaps followed by the blood group printed beside it."""
    words = value.split()
    for i, word in enumerate(words):  # noqa: B007 (the loop finds i)
        digits = re.sub(r"[^0-9]", "", word.translate(AS_DIGIT))
        if len(digits) >= 6 and sum(c.isdigit() for c in word) >= 4:
            break
    else:
        return _upper_text(value.split(",")[0]), None
    # The date may have been split at a dash: take digits from the following words too.
    digits = re.sub(r"[^0-9]", "", "".join(words[i : i + 3]).translate(AS_DIGIT))[:8]
    place = _upper_text(" ".join(words[:i]))
    try:
        return place, dt.date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
    except ValueError:
        return place, None


def _sex(value: str) -> str:
    key = _letters(value)
    male, female = SequenceMatcher(None, key, "lakilaki").ratio(), SequenceMatcher(None, key, "perempuan").ratio()
    if max(male, female) < 0.6:
        return ""
    return "L" if male > female else "P"


def _rt_rw(value: str) -> str:
    """ "003/002"; a colon or a slash misread as a digit makes a part four digits long."""
    value = value.translate(AS_DIGIT)
    if "/" in value:
        parts = [re.sub(r"\D", "", part) for part in value.split("/", 1)]
    else:
        digits = re.sub(r"\D", "", value)
        parts = [digits[:3], digits[3:]] if len(digits) == 6 else []
    if len(parts) != 2 or not all(parts):
        return ""
    return "/".join(part[-3:].zfill(3) for part in parts)


def checked_nik(
    candidates: list[tuple[str, float]], birth: Reading | None, sex: Reading | None, *, today: dt.date | None = None
) -> dict[str, Reading]:
    """The NIK (and, where the card's own were unreadable, birth date and sex) from the NIK as read,
    checked against the birth date and sex as read. `candidates` are the NIK's reads, best first."""
    today = today or timezone.localdate()
    birth_date = dt.date.fromisoformat(birth.value) if birth else None
    sex_value = sex.value if sex else None
    # A colon or a smudge read as a digit makes 17 or more: each run of 16 is a possible NIK.
    windows = [
        (read, digits[start : start + 16], confidence)
        for read, (digits, confidence) in enumerate(candidates)
        for start in (range(len(digits) - 16, -1, -1) if len(digits) > 16 else [0])
    ]
    valid = []
    for read, digits, confidence in windows:
        try:
            valid.append((read, parse_nik(digits, today=today), confidence))
        except NikError:
            continue
    agreeing = [
        (read, info, conf)
        for read, info, conf in valid
        if not nik_mismatches(info, birth_date=birth_date, sex=sex_value)
    ]
    if agreeing:
        read, info, confidence = agreeing[0]
        if any(other.nik != info.nik for other_read, other, _ in agreeing if other_read != read):
            # Two reads, each a possible NIK, differing in the serial, which nothing else on the card checks.
            return {"nik": Reading(info.nik, 0.4, NIK_TWO_READS)}
        # Agreeing with the date and sex printed apart from it, a NIK is right but for its serial.
        result = {"nik": Reading(info.nik, max(confidence, NIK_AGREES) if birth_date and sex_value else confidence)}
        if not birth_date:
            result["tanggal_lahir"] = Reading(info.birth_date.isoformat(), 0.5, FROM_NIK)
        if not sex_value:
            result["jenis_kelamin"] = Reading(info.sex, 0.5, FROM_NIK)
        return result
    if not windows:
        return {}
    _, digits, _ = windows[0]
    if birth_date and sex_value and len(digits) == 16 and not valid:
        encoded = f"{birth_date.day + (FEMALE_DAY_OFFSET if sex_value == 'P' else 0):02d}{birth_date:%m%y}"
        if sum(a != b for a, b in zip(digits[6:12], encoded, strict=True)) == 1:
            return {"nik": Reading(digits[:6] + encoded + digits[12:], 0.5, NIK_CORRECTED)}
    if valid:
        return {"nik": Reading(valid[0][1].nik, 0.3, NIK_DISAGREES)}
    return {"nik": Reading(digits, 0.2, NIK_INVALID)}


# --- for the registration form ----------------------------------------------------------------


def form_values(reading: KtpReading, *, villages: list[tuple[int, str]]) -> dict[str, dict[str, object]]:
    """What was read, by the registration form's field names; the desa only when it is one of the
    agent's own (`villages`: pk and name), since the form offers no other."""
    values: dict[str, dict[str, object]] = {}

    def put(name: str, read: Reading, value: str | None = None) -> None:
        if read.value:
            values[name] = {
                "value": read.value if value is None else value,
                "confidence": round(read.confidence, 2),
                "note": read.note,
            }

    put("nik", reading.nik)
    put("name", reading.nama)
    put("birth_place", reading.tempat_lahir)
    put("birth_date", reading.tanggal_lahir)
    put("sex", reading.jenis_kelamin)
    put("address", reading.alamat)
    if reading.rt_rw.value:
        rt, rw = reading.rt_rw.value.split("/")
        put("rt", reading.rt_rw, rt)
        put("rw", reading.rt_rw, rw)
    by_name = {name.upper(): pk for pk, name in villages}
    match = get_close_matches(reading.desa.value, list(by_name), n=1, cutoff=0.8) if reading.desa.value else []
    if match:
        put("village", reading.desa, str(by_name[match[0]]))
    return values
