from __future__ import annotations

from django import forms

MONTH_CHOICES = [(1, "1 bulan"), (3, "3 bulan"), (6, "6 bulan"), (12, "12 bulan")]


class PaymentForm(forms.Form):
    """An agent's cash for whole months of one farmer's cover (docs/domain-rules.md#contribution)."""

    months = forms.TypedChoiceField(
        label="Bayar untuk", choices=MONTH_CHOICES, coerce=int, initial=1, widget=forms.RadioSelect, required=False
    )
    other_months = forms.IntegerField(
        label="Atau jumlah bulan lain (1–12)",
        min_value=1,
        max_value=12,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 12}),
    )
    cash_received = forms.IntegerField(
        label="Uang diterima (Rp)",
        min_value=0,
        max_value=100_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "step": 100}),
        help_text="Bila petani membayar lebih, kembalikan selisihnya.",
    )
    cash_confirmed = forms.BooleanField(
        label="Uang tunai sudah saya terima dari petani.",
        error_messages={"required": "Centang setelah uang diterima: kuitansi hanya untuk uang yang sudah di tangan."},
    )

    def clean(self) -> dict:
        data = super().clean()
        data["months"] = data.get("other_months") or data.get("months")
        if not data["months"]:
            self.add_error("months", "Pilih jumlah bulan (1–12).")
        return data
