"""The response envelope of the contract and the way operations refuse a request."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any


@dataclass(frozen=True)
class Result:
    status: int
    response: Any = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""

    def envelope(self) -> dict[str, Any]:
        message = self.message or HTTPStatus(self.status).phrase
        return {
            "metaData": {"code": str(self.status), "message": message},
            "response": self.response,
            "errors": self.errors,
        }

    def encode(self) -> bytes:
        return json.dumps(self.envelope(), ensure_ascii=False, separators=(",", ":")).encode()


class Refusal(Exception):
    """Raised by validation deep inside an operation; the operation's caller turns it into its result."""

    def __init__(self, result: Result) -> None:
        super().__init__(result.message)
        self.result = result


def field_error(field_name: str | None, code: str, message: str) -> dict[str, Any]:
    return {"field": field_name, "code": code, "message": message}


def refusal(status: int, code: str, message: str, field_name: str | None = None) -> Result:
    return Result(status, None, [field_error(field_name, code, message)], message)
