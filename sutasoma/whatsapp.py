"""Links that open a WhatsApp chat with the message already typed: the sender only taps *Kirim*.

Below every app (pyproject.toml): reminders of the visit list and shared receipts build their
links here.
"""

from __future__ import annotations

import re
from urllib.parse import quote

# An Indonesian mobile number as SUTASOMA stores it: 08, then 8 to 11 digits (10 to 13 in all).
# A landline (0484 21…) has no WhatsApp chat to open, so it gets no link.
MOBILE = re.compile(r"08[1-9][0-9]{7,10}")


def whatsapp_number(phone: str) -> str | None:
    """`081234567890` → `6281234567890`, the international form wa.me wants; None when the
    number is not a mobile one."""
    phone = phone.strip()
    if not MOBILE.fullmatch(phone):
        return None
    return "62" + phone[1:]


def whatsapp_link(phone: str, text: str) -> str | None:
    number = whatsapp_number(phone)
    if number is None:
        return None
    return f"https://wa.me/{number}?text={quote(text, safe='')}"
