from __future__ import annotations

from django import forms

from claims.models import Claim, DocumentKind
from sutasoma.fields import LineField, NumberTextField, UpperLineField, phone_number
from sutasoma.text import TextProblem, ascii_digits

DOCUMENT_ACCEPT = "image/*,application/pdf"


class ClaimForm(forms.ModelForm):
    class Meta:
        model = Claim
        fields = [
            "kind",
            "incident_date",
            "place",
            "description",
            "reporter_name",
            "reporter_relation",
            "reporter_phone",
            "beneficiary_name",
            "bank_name",
            "bank_account",
            "bank_account_holder",
        ]
        field_classes = {
            "place": LineField,
            "description": LineField,
            "reporter_name": UpperLineField,
            "reporter_phone": NumberTextField,
            "beneficiary_name": UpperLineField,
            "bank_name": UpperLineField,
            "bank_account": NumberTextField,
            "bank_account_holder": UpperLineField,
        }
        widgets = {
            "kind": forms.RadioSelect,
            "incident_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "reporter_phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
            "bank_account": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = self.fields["kind"].choices[1:]  # no blank radio

    def clean_reporter_phone(self) -> str:
        return phone_number(self.cleaned_data.get("reporter_phone") or "")

    def clean_bank_account(self) -> str:
        try:
            number = ascii_digits(self.cleaned_data.get("bank_account") or "")
        except TextProblem as exc:
            raise forms.ValidationError("Nomor rekening hanya boleh berisi angka.") from exc
        if number and not 6 <= len(number) <= 20:
            raise forms.ValidationError("Nomor rekening 6 sampai 20 angka.")
        return number


class DocumentForm(forms.Form):
    file = forms.FileField(
        label="Foto atau PDF",
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT, "capture": "environment"}),
    )
    kind = forms.ChoiceField(choices=DocumentKind.choices, widget=forms.HiddenInput)
