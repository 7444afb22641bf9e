"""Percentiles for the bench's samples, in milliseconds."""

from __future__ import annotations

import statistics


def summary(seconds: list[float]) -> dict[str, float]:
    """p50 and p95 of timings given in seconds, as milliseconds rounded to 0.1."""
    ms = sorted(s * 1000 for s in seconds)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
    return {"p50_ms": round(statistics.median(ms), 1), "p95_ms": round(p95, 1)}


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator to two places; a floor under 0.05 ms counts as 0.05 ms, so a page
    whose SQL is nearly nothing gets a large but finite ratio instead of a division by zero."""
    return round(numerator / max(denominator, 0.05), 2)
