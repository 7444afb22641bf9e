"""Injected faults of the signed API, configured through ``POST /_sandbox/faults``."""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from .envelope import field_error

RATE_FIELDS = ("error_rate", "lost_response_rate", "timeout_rate")


@dataclass(frozen=True)
class FaultConfig:
    error_rate: float = 0.0
    lost_response_rate: float = 0.0
    latency_ms: int = 0
    timeout_rate: float = 0.0
    down: bool = False
    rate_limit_per_s: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def parse_fault_config(data: dict[str, Any]) -> tuple[FaultConfig | None, list[dict[str, Any]]]:
    """A missing or null field means "off": every call replaces the whole configuration."""
    errors = [
        field_error(name, "FIELD_TIDAK_DIKENAL", f"{name} bukan pengaturan gangguan")
        for name in data
        if name not in FaultConfig.__dataclass_fields__
    ]
    values = {
        name: value for name, value in data.items() if value is not None and name in FaultConfig.__dataclass_fields__
    }
    for name in RATE_FIELDS:
        if name in values and not (_is_number(values[name]) and 0 <= values[name] <= 1):
            errors.append(field_error(name, "NILAI_TIDAK_VALID", f"{name} harus 0 sampai 1"))
    if "latency_ms" in values and not (_is_number(values["latency_ms"]) and values["latency_ms"] >= 0):
        errors.append(field_error("latency_ms", "NILAI_TIDAK_VALID", "latency_ms harus >= 0"))
    if "down" in values and not isinstance(values["down"], bool):
        errors.append(field_error("down", "NILAI_TIDAK_VALID", "down harus true atau false"))
    limit = values.get("rate_limit_per_s")
    if limit is not None and not (_is_number(limit) and limit >= 0):
        errors.append(field_error("rate_limit_per_s", "NILAI_TIDAK_VALID", "rate_limit_per_s harus >= 0"))
    if errors:
        return None, errors
    if limit == 0:
        values["rate_limit_per_s"] = None
    for name in RATE_FIELDS:
        if name in values:
            values[name] = float(values[name])
    if "latency_ms" in values:
        values["latency_ms"] = int(values["latency_ms"])
    return FaultConfig(**values), []


def fires(rate: float) -> bool:
    return rate > 0 and random.random() < rate


class Faults:
    """The current configuration and the token bucket behind ``rate_limit_per_s``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.config = FaultConfig()
        self._tokens = 0.0
        self._refilled_at = 0.0

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config
            # A full bucket: the limit allows a one-second burst, as a real gateway's would.
            self._tokens = max(config.rate_limit_per_s or 0.0, 1.0)
            self._refilled_at = time.monotonic()

    def admit(self) -> int | None:
        """None if the request may pass, otherwise the whole seconds to announce in Retry-After."""
        with self._lock:
            rate = self.config.rate_limit_per_s
            if rate is None:
                return None
            now = time.monotonic()
            self._tokens = min(max(rate, 1.0), self._tokens + (now - self._refilled_at) * rate)
            self._refilled_at = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return None
            return max(1, math.ceil((1.0 - self._tokens) / rate))
