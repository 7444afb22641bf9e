"""Loading the Kemendagri region tree and one BPP per kecamatan from the shipped CSV."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from wilayah.models import Bpp, Region

WILAYAH_CSV = Path(__file__).resolve().parent / "data" / "wilayah_73_sulawesi_selatan.csv"


@dataclass(frozen=True)
class LoadResult:
    regions: int
    bpps_created: int


def read_regions(path: Path = WILAYAH_CSV) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as f:
        return [(row["kode"].strip(), row["nama"].strip()) for row in csv.DictReader(f)]


@transaction.atomic
def load_wilayah(*, regency_codes: list[str] | None, path: Path = WILAYAH_CSV) -> LoadResult:
    """Idempotent: a second run updates names and adds nothing. None loads the whole file."""
    rows = read_regions(path)
    wanted = [
        (code, name)
        for code, name in rows
        if regency_codes is None
        or code.count(".") == 0
        or any(code == r or code.startswith(r + ".") for r in regency_codes)
    ]
    regions = [
        Region(code=code, name=name, level=code.count("."), parent_id=code.rsplit(".", 1)[0] if "." in code else None)
        for code, name in sorted(wanted, key=lambda r: (r[0].count("."), r[0]))
    ]
    Region.objects.bulk_create(
        regions,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "parent"],
        batch_size=1000,
    )
    created = 0
    for kecamatan in Region.objects.filter(level=Region.Level.KECAMATAN, code__in=[r.code for r in regions]):
        _, was_created = Bpp.objects.get_or_create(kecamatan=kecamatan, defaults={"name": f"BPP {kecamatan.name}"})
        created += was_created
    return LoadResult(regions=len(regions), bpps_created=created)
