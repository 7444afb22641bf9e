"""How well the KTP reader reads: field accuracy on synthetic photos (bench/ktp_synthetic.py).

`measure(n=200)` reads the same n photos (seeds 0…n-1) twice: plain Tesseract on the photo as taken
(the baseline) and the reader with its preprocessing. A field counts when it equals the card's
exactly. A wrong NIK given with high confidence is the one error that matters most (the agent
may trust it), so it is counted apart. Seconds are per photo, wall clock and CPU (this process and
Tesseract's), since the machine may be shared.
"""

from __future__ import annotations

import resource
import time
from collections import Counter

from bench.ktp_synthetic import synthetic_ktp
from enrollment.ktp_reading import LOW_CONFIDENCE, KtpReadingError, read_ktp

FIELDS = ("nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "alamat", "rt_rw", "desa", "kecamatan")
GOALS = {"nik": 0.95, "nama": 0.90, "tanggal_lahir": 0.95}
GOAL_SECONDS = 2.0


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run(photos: list, *, preprocess: bool) -> dict[str, object]:
    right: Counter[str] = Counter()
    confident_wrong_nik = failures = 0
    wall, cpu = time.perf_counter(), _cpu_seconds()
    for photo in photos:
        try:
            reading = read_ktp(photo.jpeg, preprocess=preprocess).as_json()
        except KtpReadingError:
            failures += 1
            continue
        truth = photo.data.as_dict()
        right.update(name for name in FIELDS if reading[name] == truth[name])
        if reading["nik"] and reading["nik"] != truth["nik"] and reading["confidence"]["nik"] >= LOW_CONFIDENCE:
            confident_wrong_nik += 1
    count = len(photos)
    return {
        "accuracy": {name: round(right[name] / count, 3) for name in FIELDS},
        "nik_wrong_but_confident": confident_wrong_nik,
        "failed": failures,
        "seconds_per_photo": round((time.perf_counter() - wall) / count, 2),
        "cpu_seconds_per_photo": round((_cpu_seconds() - cpu) / count, 2),
    }


def measure(n: int = 200, *, baseline: bool = True) -> dict[str, object]:
    photos = [synthetic_ktp(seed) for seed in range(n)]
    result: dict[str, object] = {"photos": n}
    if baseline:
        result["baseline"] = run(photos, preprocess=False)
    reader = run(photos, preprocess=True)
    result["reader"] = reader
    accuracy = reader["accuracy"]
    result["goals_met"] = all(accuracy[name] >= goal for name, goal in GOALS.items()) and (
        reader["cpu_seconds_per_photo"] < GOAL_SECONDS
    )
    return result
