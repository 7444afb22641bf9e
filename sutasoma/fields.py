"""Form fields that store text only in the one form sutasoma/text.py defines."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from sutasoma.text import TextProblem, ascii_digits, normalise_line


class LineField(forms.CharField):
    """One line of text: NFC, single spaces, nothing hidden. The model's max_length is checked on
    the normalised value, so text that grows when uppercased is caught here, not by the database."""

    upper = False

    def to_python(self, value: object) -> str:
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        try:
            return normalise_line(value, upper=self.upper)
        except TextProblem as exc:
            raise ValidationError(str(exc), code="hidden") from exc


class UpperLineField(LineField):
    """Names and places as the KTP prints them: in capitals."""

    upper = True


def digits(value: str, *, length: int, label: str, separators: str = " .-") -> str:
    """A fixed-length number as typed on any keyboard, in ASCII digits; a field error otherwise."""
    try:
        number = ascii_digits(value or "", separators=separators)
    except TextProblem as exc:
        raise ValidationError(f"{label} hanya boleh berisi angka.", code="digits") from exc
    if len(number) != length:
        raise ValidationError(f"{label} harus {length} angka (terisi {len(number)}).", code="length")
    return number


def phone_number(value: str) -> str:
    """A mobile number as written (`0812-3456-7890`, `+62 812…`) in the form `081234567890`; "" stays ""."""
    phone = value.strip()
    international = phone.startswith("+")
    try:
        phone = ascii_digits(phone.removeprefix("+"), separators=" .-()")
    except TextProblem as exc:
        raise ValidationError("Nomor HP tidak valid (contoh 081234567890).", code="phone") from exc
    if international and phone.startswith("62"):
        phone = "0" + phone[2:]
    if phone and (not 9 <= len(phone) <= 14 or not phone.startswith("0")):
        raise ValidationError("Nomor HP tidak valid (contoh 081234567890).", code="phone")
    return phone


class NumberTextField(LineField):
    """A number typed as text (NIK, KK, RT, phone), perhaps with spaces or dots. The form checks
    the length of its digits, so the model's max_length does not apply to what was typed; a
    generous bound still keeps a pasted essay out."""

    def __init__(self, *, max_length: int | None = None, **kwargs) -> None:
        super().__init__(max_length=64, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)  # the widget's own maxlength (16 digits) is the one to show
        return attrs
