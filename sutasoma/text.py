"""What typed or imported text must be before it is stored: one normal form, nothing hidden.

Phones and spreadsheets bring text in many shapes: decomposed accents (NFD), zero-width spaces
copied from chat apps, right-to-left overrides that make a name read backwards on screen,
full-width or Arabic-Indic digits from another keyboard, NUL bytes that PostgreSQL refuses.
Every text field goes through these functions, so a length is checked on what is saved.
"""

from __future__ import annotations

import unicodedata
from functools import cache

# Categories never wanted in a name, an address or a number: control (Cc), format (Cf: zero-width
# and bidi overrides), surrogates (Cs), private use (Co) and unassigned code points (Cn).
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# Whitespace inside one line of text; every run of these becomes one plain space.
_LINE_BREAKS_AND_TABS = "\t\n\r\x0b\x0c\x85\u2028\u2029"
_ASCII_LINE_BREAKS = str.maketrans({ch: " " for ch in _LINE_BREAKS_AND_TABS if ch.isascii()})
# What str.isspace() finds in ASCII: tab, line breaks, space and the separators \x1c-\x1f.
_ASCII_WHITESPACE = "".join(chr(c) for c in range(128) if chr(c).isspace())


class TextProblem(ValueError):
    """The text cannot be stored as it is; the message is for the person who typed it."""


HIDDEN_MESSAGE = "Berisi karakter tersembunyi atau tidak sah. Ketik ulang isian ini (jangan salin-tempel)."


def normalise_line(value: str, *, upper: bool = False) -> str:
    """One line of text in NFC, trimmed, with single spaces; uppercased if asked (names on a KTP).

    Uppercasing comes after normalising: `ß` becomes `SS`, so the length to check is the result's.
    """
    if value.isascii():
        # Most cells of an imported list: ASCII is already NFC, stays ASCII when uppercased, and
        # hides nothing but control characters, which isprintable() finds (a fifth of an imported
        # row's checks went to the code-point walk below).
        value = value.translate(_ASCII_LINE_BREAKS)
        if not value.isprintable():
            raise TextProblem(HIDDEN_MESSAGE)
        value = " ".join(value.split())
        return value.upper() if upper else value
    for ch in _LINE_BREAKS_AND_TABS:
        value = value.replace(ch, " ")
    value = unicodedata.normalize("NFC", value)
    if any(unicodedata.category(ch) in _HIDDEN_CATEGORIES for ch in value):
        raise TextProblem(HIDDEN_MESSAGE)
    value = " ".join(value.split())
    if upper:
        value = unicodedata.normalize("NFC", value.upper())
    return value


def ascii_digits(value: str, *, separators: str = " .-") -> str:
    """The digits of a number as typed, in ASCII: `７３１２`, `٧٣１２` and `7312 0445` all give `73120445`.

    Separators are dropped; any other character is refused, so `7312O44` (a letter O) is an error,
    not a shorter number.
    """
    if value.isascii() and (digits := value.translate(_dropped_from_ascii(separators))).isdigit():
        return digits  # typed on an ASCII keyboard, as nearly every number is
    digits = []
    for ch in value:
        if ch in separators or ch.isspace():
            continue
        decimal = unicodedata.decimal(ch, None)
        if decimal is None:
            raise TextProblem("Hanya boleh berisi angka.")
        digits.append(str(decimal))
    return "".join(digits)


@cache
def _dropped_from_ascii(separators: str) -> dict[int, None]:
    return str.maketrans("", "", separators + _ASCII_WHITESPACE)
