"""Synthetic KTP photos for the reader's tests and `make bench`: the card's layout with invented
people, photographed badly (background, tilt up to 15°, perspective, blur, uneven light, JPEG 40–90).

Every card says SPESIMEN and holds no real person: names are drawn from lists of common given
names, the NIK is built from the birth date and sex by the rules of docs/domain-rules.md#nik, the
places are Soppeng's kecamatan and desa (wilayah/data). The same seed gives the same photo.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from enrollment.nik import FEMALE_DAY_OFFSET

REGENCY_CODE = "73.12"
WILAYAH_CSV = Path(__file__).resolve().parent.parent / "wilayah" / "data" / "wilayah_73_sulawesi_selatan.csv"
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation"))
# (regular, bold) pairs; those not installed are skipped (fonts-dejavu-core has only the first three).
FONT_FAMILIES = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
    ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    ("LiberationSansNarrow-Regular.ttf", "LiberationSansNarrow-Bold.ttf"),
    ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
)
MEN = (
    "BASO",
    "LA ODE",
    "AMIRUDDIN",
    "SYAMSUL",
    "HAMZAH",
    "RUSDI",
    "MUSTARI",
    "ARIFIN",
    "BAHAR",
    "JUFRI",
    "SUDIRMAN",
    "HASANUDDIN",
    "NURDIN",
    "RAHMAN",
    "ILHAM",
    "SAFRI",
    "MUHLIS",
    "ANSAR",
    "TAHIR",
    "KADIR",
)
WOMEN = (
    "BECCE",
    "HASNAH",
    "NURHAYATI",
    "SITTI",
    "RAHMAWATI",
    "MARLINA",
    "JUMRIAH",
    "HADIJAH",
    "SUHARTINI",
    "ASMAWATI",
    "NURLINA",
    "HERAWATI",
    "SAENAB",
    "MASNIAH",
    "RISNAWATI",
    "ROSDIANA",
    "WAHIDAH",
    "SUKMAWATI",
)
FAMILY = (
    "BAKRI",
    "LATIF",
    "SAMAD",
    "HAMID",
    "MAPPE",
    "TANG",
    "LAPPE",
    "SANUSI",
    "MAKKA",
    "RAUF",
    "SALEH",
    "MADE",
    "PATANG",
    "NUR",
    "SULTAN",
    "BEDDU",
    "TAJANG",
    "SIDDIQ",
    "HALIM",
    "YUNUS",
    "LEWA",
    "DARWIS",
)
PLACES = (
    "SOPPENG",
    "WATANSOPPENG",
    "BONE",
    "WAJO",
    "SIDRAP",
    "BARRU",
    "MAKASSAR",
    "PAREPARE",
    "PINRANG",
    "MAROS",
    "CABENGE",
    "TAKALALLA",
    "LALABATA",
)
STREETS = (
    "JL. POROS SOPPENG",
    "JL. MERDEKA",
    "JL. KEMAKMURAN",
    "DUSUN",
    "JL. SAWERIGADING",
    "JL. LAMAPPOLEONRO",
    "JL. PENDIDIKAN",
    "LINGK.",
    "JL. BUNGA",
)
HAMLETS = ("LAMPOKO", "BULU", "TANETE", "CEMPA", "LIMPOE", "ALAKKANG", "PANINCONG", "MAKKAWARU", "TAKKALASI")
RELIGIONS = ("ISLAM",) * 9 + ("KRISTEN",)
JOBS = ("PETANI/PEKEBUN", "PETERNAK", "NELAYAN/PERIKANAN", "BURUH TANI/PERKEBUNAN", "WIRASWASTA")
MARITAL = ("KAWIN", "BELUM KAWIN", "CERAI MATI")

CARD_W, CARD_H = 1000, 630  # 85.6 × 54 mm at about 11.7 px/mm


@dataclass(frozen=True)
class KtpData:
    nik: str
    nama: str
    tempat_lahir: str
    tanggal_lahir: dt.date
    jenis_kelamin: str  # "L" or "P"
    alamat: str
    rt_rw: str  # "003/002"
    desa: str
    kecamatan: str

    def as_dict(self) -> dict[str, str]:
        return {
            "nik": self.nik,
            "nama": self.nama,
            "tempat_lahir": self.tempat_lahir,
            "tanggal_lahir": self.tanggal_lahir.isoformat(),
            "jenis_kelamin": self.jenis_kelamin,
            "alamat": self.alamat,
            "rt_rw": self.rt_rw,
            "desa": self.desa,
            "kecamatan": self.kecamatan,
        }


@dataclass(frozen=True)
class SyntheticKtp:
    data: KtpData
    jpeg: bytes
    printed_nik: str  # what the card shows; differs from data.nik only on a card made with a misprint


def nik_for(*, kecamatan_code: str, birth_date: dt.date, sex: str, serial: int) -> str:
    day = birth_date.day + (FEMALE_DAY_OFFSET if sex == "P" else 0)
    return f"{kecamatan_code.replace('.', '')}{day:02d}{birth_date:%m%y}{serial:04d}"


@cache
def _soppeng() -> dict[str, tuple[str, list[str]]]:
    """Kecamatan code -> (name, its desa names), from the region data the project loads."""
    kecamatan: dict[str, tuple[str, list[str]]] = {}
    with WILAYAH_CSV.open(encoding="utf-8") as handle:
        for code, name in csv.reader(handle):
            if not code.startswith(REGENCY_CODE + "."):
                continue
            if code.count(".") == 2:
                kecamatan[code] = (name.upper(), [])
            elif code.count(".") == 3:
                kecamatan[code.rsplit(".", 1)[0]][1].append(name.upper())
    return kecamatan


@cache
def _fonts() -> list[tuple[Path, Path]]:
    found = []
    for regular, bold in FONT_FAMILIES:
        paths = [next((d / f for d in FONT_DIRS if (d / f).exists()), None) for f in (regular, bold)]
        if paths[0] and paths[1]:
            found.append((paths[0], paths[1]))
    if not found:
        raise RuntimeError("No DejaVu or Liberation font installed (Debian: fonts-dejavu-core).")
    return found


def person(rng: random.Random, *, today: dt.date) -> KtpData:
    sex = rng.choice("LP")
    given = MEN if sex == "L" else WOMEN
    parts = [rng.choice(given)] + ([rng.choice(given)] if rng.random() < 0.3 else []) + [rng.choice(FAMILY)]
    name = " ".join(dict.fromkeys(parts))
    age_days = rng.randint(18 * 365, 64 * 365)
    birth = today - dt.timedelta(days=age_days)
    code = rng.choice(sorted(_soppeng()))
    kecamatan, villages = _soppeng()[code]
    street = rng.choice(STREETS)
    if street in {"DUSUN", "LINGK."}:
        address = f"{street} {rng.choice(HAMLETS)}"
    else:
        address = f"{street} NO. {rng.randint(1, 120)}"
    return KtpData(
        nik=nik_for(kecamatan_code=code, birth_date=birth, sex=sex, serial=rng.randint(1, 9999)),
        nama=name,
        tempat_lahir=rng.choice(PLACES),
        tanggal_lahir=birth,
        jenis_kelamin=sex,
        alamat=address,
        rt_rw=f"{rng.randint(1, 12):03d}/{rng.randint(1, 8):03d}",
        desa=rng.choice(villages),
        kecamatan=kecamatan,
    )


def draw_card(data: KtpData, rng: random.Random, *, printed_nik: str | None = None) -> Image.Image:
    regular, bold = rng.choice(_fonts())
    size = rng.randint(23, 26)
    font = ImageFont.truetype(str(regular), size)
    heading = ImageFont.truetype(str(bold), 31)
    nik_font = ImageFont.truetype(str(bold), rng.randint(38, 42))
    tint = (rng.randint(170, 200), rng.randint(205, 225), rng.randint(228, 245))
    card = Image.new("RGB", (CARD_W, CARD_H), tint)
    draw = ImageDraw.Draw(card)
    # A paler band and a faint guilloche, as printed cards have behind the text.
    for i in range(0, CARD_W, 14):
        draw.arc((i - 300, 240, i + 300, 900), 200, 340, fill=tuple(min(255, c + 12) for c in tint), width=1)
    ink = (rng.randint(0, 40),) * 3
    draw.text((CARD_W // 2, 28), "PROVINSI SULAWESI SELATAN", font=heading, fill=ink, anchor="mt")
    draw.text((CARD_W // 2, 66), "KABUPATEN SOPPENG", font=heading, fill=ink, anchor="mt")
    draw.text((32, 128), "NIK", font=nik_font, fill=ink, anchor="lm")
    draw.text((170, 128), f": {printed_nik or data.nik}", font=nik_font, fill=ink, anchor="lm")
    rows = (
        ("Nama", data.nama),
        ("Tempat/Tgl Lahir", f"{data.tempat_lahir}, {data.tanggal_lahir:%d-%m-%Y}"),
        ("Jenis Kelamin", "LAKI-LAKI" if data.jenis_kelamin == "L" else "PEREMPUAN"),
        ("Alamat", data.alamat),
        ("RT/RW", data.rt_rw),
        ("Kel/Desa", data.desa),
        ("Kecamatan", data.kecamatan),
        ("Agama", rng.choice(RELIGIONS)),
        ("Status Perkawinan", rng.choice(MARITAL)),
        ("Pekerjaan", rng.choice(JOBS)),
        ("Kewarganegaraan", "WNI"),
        ("Berlaku Hingga", "SEUMUR HIDUP"),
    )
    y, step = 182, 35
    for label, value in rows:
        draw.text((32, y), label, font=font, fill=ink, anchor="lm")
        draw.text((300, y), f": {value}", font=font, fill=ink, anchor="lm")
        y += step
    draw.text((700, 217), f"Gol. Darah : {rng.choice('ABO-')}", font=font, fill=ink, anchor="lm")
    # The photo's place: a grey silhouette, no face.
    draw.rectangle((770, 250, 960, 500), fill=(150, 40, 40) if rng.random() < 0.5 else (40, 70, 150))
    draw.ellipse((815, 280, 915, 390), fill=(120, 120, 120))
    draw.pieslice((780, 380, 950, 560), 180, 360, fill=(120, 120, 120))
    draw.text((865, 530), "SOPPENG", font=font, fill=ink, anchor="mm")
    draw.text((865, 565), f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-2019", font=font, fill=ink, anchor="mm")
    _watermark(card)
    return card


def _watermark(card: Image.Image) -> None:
    """SPESIMEN across the photo and along the bottom edge, in red, away from the fields' text."""
    mark = Image.new("RGBA", (420, 90), (0, 0, 0, 0))
    ImageDraw.Draw(mark).text(
        (210, 45), "SPESIMEN", font=ImageFont.truetype(str(_fonts()[0][1]), 64), fill=(220, 30, 30, 170), anchor="mm"
    )
    mark = mark.rotate(35, expand=True)
    card.paste(mark, (650, 230), mark)
    small = ImageFont.truetype(str(_fonts()[0][1]), 18)
    ImageDraw.Draw(card).text(
        (32, CARD_H - 14), "SPESIMEN - DATA SINTETIS", font=small, fill=(200, 30, 30), anchor="ls"
    )


def photograph(card: Image.Image, rng: random.Random, *, difficulty: float = 1.0) -> bytes:
    """The card as a phone sees it: on a table, tilted, in perspective, blurred, unevenly lit, JPEG."""
    out_w = rng.randint(1200, 1600)
    out_h = out_w * 3 // 4
    background = _background(rng, out_w, out_h)
    scale = rng.uniform(0.62, 0.82) * out_w / CARD_W
    angle = np.deg2rad(rng.uniform(-15, 15) * difficulty)
    cx = out_w / 2 + rng.uniform(-0.06, 0.06) * out_w
    cy = out_h / 2 + rng.uniform(-0.06, 0.06) * out_h
    corners = np.array([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]], dtype=np.float32)
    centred = (corners - [CARD_W / 2, CARD_H / 2]) * scale
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    jitter = np.array([[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(4)]) * 0.05 * CARD_H * scale
    target = (centred @ rotation.T + [cx, cy] + jitter * difficulty).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    card_px = cv2.cvtColor(np.asarray(card), cv2.COLOR_RGB2BGR)
    warped = cv2.warpPerspective(card_px, matrix, (out_w, out_h), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((CARD_H, CARD_W), 255, np.uint8), matrix, (out_w, out_h))
    photo = np.where(mask[..., None] > 127, warped, background).astype(np.float32)
    photo *= _light(rng, out_w, out_h, difficulty)[..., None]
    sigma = rng.uniform(0.0, 1.6 * difficulty)
    if sigma > 0.3:
        photo = cv2.GaussianBlur(photo, (0, 0), sigma)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(1, 6), photo.shape[:2])
    photo = np.clip(photo + noise[..., None].astype(np.float32), 0, 255).astype(np.uint8)
    image = Image.fromarray(cv2.cvtColor(photo, cv2.COLOR_BGR2RGB))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=rng.randint(40, 90))
    return out.getvalue()


def _background(rng: random.Random, width: int, height: int) -> np.ndarray:
    """A table, a sarong or a floor: a dark-to-middling colour with stripes or speckles."""
    base = np.array([rng.randint(20, 120), rng.randint(20, 110), rng.randint(20, 110)], dtype=np.float32)
    noise_rng = np.random.default_rng(rng.randrange(2**32))
    field = np.broadcast_to(base, (height, width, 3)).copy()
    if rng.random() < 0.5:  # wood grain or woven stripes
        period = rng.uniform(15, 60)
        stripes = 18 * np.sin(np.arange(height if rng.random() < 0.5 else width) / period * 2 * np.pi)
        field += stripes[:, None, None] if stripes.shape[0] == height else stripes[None, :, None]
    field += noise_rng.normal(0, 10, (height, width, 1)).astype(np.float32)
    return np.clip(field, 0, 255)


def _light(rng: random.Random, width: int, height: int, difficulty: float) -> np.ndarray:
    """A lamp or a window on one side: from full light down to about half."""
    # Smooth, so computed on a coarse grid and enlarged.
    ys, xs = np.mgrid[0:height:8, 0:width:8].astype(np.float32)
    lx, ly = rng.uniform(0, width), rng.uniform(0, height)
    distance = np.hypot(xs - lx, ys - ly)
    darkest = 1 - rng.uniform(0.15, 0.5) * difficulty
    coarse = (1.05 - (1.05 - darkest) * distance / distance.max()).astype(np.float32)
    return cv2.resize(coarse, (width, height), interpolation=cv2.INTER_LINEAR)


def synthetic_ktp(
    seed: int, *, difficulty: float = 1.0, misprint: bool = False, today: dt.date | None = None
) -> SyntheticKtp:
    """A photo of an invented KTP. `difficulty` 0 is a flat, straight, evenly lit card; 1 is the worst
    a field phone is expected to take. `misprint` changes one digit of the birth date in the printed
    NIK, as a misread would, so the reader's check can be seen catching it."""
    rng = random.Random(seed)
    data = person(rng, today=today or dt.date(2026, 1, 1))
    printed = data.nik
    if misprint:
        position = rng.choice((8, 9))  # the month: any change keeps the NIK well-formed or makes it invalid
        digit = str((int(printed[position]) + rng.randint(1, 9)) % 10)
        printed = printed[:position] + digit + printed[position + 1 :]
    card = draw_card(data, rng, printed_nik=printed)
    return SyntheticKtp(data=data, jpeg=photograph(card, rng, difficulty=difficulty), printed_nik=printed)
