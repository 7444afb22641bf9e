"""The operations the insurer is asked to do, each declared by the app that owns its records.

The gateway moves bytes; what a registration's body holds, or what a KPJ or a refusal does to a
farmer, is enrollment's business (enrollment/insurer.py), a payment's is contributions' (see
docs/architecture.md). An app registers its operations in its AppConfig.ready(); the outbox
looks them up by name when an answer comes back. Adding claims touches no gateway code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

API = "/api/bpu/v1"


@dataclass(frozen=True)
class Subject:
    """What an operation is about, for the Gateway page: a farmer's name and the link to them."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class InsurerOperation:
    name: str  # stored on the outbox row, e.g. "REGISTER"
    label: str  # for people: "Pendaftaran peserta"
    path: str  # under /api/bpu/v1, e.g. "/peserta"
    key_prefix: str  # of the idempotency keys, so a key in a log says what it was: "reg"
    # What a success does to the owning app's rows: (subject id, the insurer's `response`).
    done: Callable[[int, dict[str, Any]], None]
    # What a permanent refusal does: (subject id, the insurer's `errors`).
    refused: Callable[[int, list[dict]], None]
    # *Kirim ulang* from the Gateway page: the owning app checks and queues a new operation.
    resend: Callable[[int], None]
    # For the Gateway page: whom or what the operation is about (a farmer, a receipt).
    describe: Callable[[int], Subject]
    method: str = "POST"
    # done() for many answers at once, [(subject id, response)], in one transaction: a drain
    # records a batch's successes with it in a few statements. Without it, done() per row.
    done_many: Callable[[list[tuple[int, dict[str, Any]]]], None] | None = None
    # 409 codes that mean "already there": the operation's goal is reached, not refused.
    already_done_codes: frozenset[str] = field(default_factory=frozenset)

    @property
    def url_path(self) -> str:
        return API + self.path


_OPERATIONS: dict[str, InsurerOperation] = {}


def register(operation: InsurerOperation) -> None:
    existing = _OPERATIONS.get(operation.name)
    if existing is not None and existing != operation:
        raise ValueError(f"insurer operation {operation.name!r} is already registered")
    _OPERATIONS[operation.name] = operation


def operation(name: str) -> InsurerOperation:
    try:
        return _OPERATIONS[name]
    except KeyError:
        raise LookupError(f"no app registered the insurer operation {name!r}") from None


def registered() -> list[InsurerOperation]:
    return list(_OPERATIONS.values())
