"""The payer form of Dinas (and admin): who pays for farmers besides the farmers themselves."""

from __future__ import annotations

from django import forms
from django.db import IntegrityError, transaction

from accounts.models import Role, User
from accounts.scope import regency_code_for
from contributions.models import FundSource, Payer
from sutasoma.fields import LineField, NumberTextField, phone_number
from wilayah.models import Region


class PayerForm(forms.ModelForm):
    """Dinas adds payers to their own regency; an admin picks the regency. A village fund names
    its desa, one per desa."""

    class Meta:
        model = Payer
        fields = ["source", "name", "regency", "village", "contact_name", "phone", "note", "is_active"]
        field_classes = {"name": LineField, "contact_name": LineField, "note": LineField, "phone": NumberTextField}
        labels = {"village": "Desa/kelurahan (untuk dana desa)"}
        help_texts = {
            "name": "Untuk dana desa boleh kosong: diisi “Dana Desa …”.",
            "is_active": "Pembayar yang tidak aktif tetap ada di catatan lama, tapi tidak bisa dipilih lagi.",
        }
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "placeholder": "081234567890"}),
        }

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["name"].required = False
        if user.role == Role.ADMIN:
            self.fields["regency"].queryset = Region.objects.filter(level=Region.Level.KABUPATEN)
            self.fields["regency"].initial = self.instance.regency_id or regency_code_for(user)
            self.fields["regency"].empty_label = None
            villages = Region.objects.filter(level=Region.Level.DESA)
        else:
            del self.fields["regency"]  # Dinas: always their own
            villages = Region.objects.filter(level=Region.Level.DESA, code__startswith=user.regency_id + ".")
        self.fields["source"].choices = [("", "Pilih jenis"), *Payer._meta.get_field("source").choices]
        self.fields["village"].empty_label = "Bukan dana desa"
        self.fields["village"].queryset = villages.select_related("parent")
        self.fields["village"].label_from_instance = lambda v: f"{v} ({v.parent})"
        if not self.instance.pk:
            del self.fields["is_active"]  # a new payer is active
        elif self.instance.payments.exists():
            # Recorded payments name this payer as their source of money: what it is stays.
            for name in ("source", "regency", "village"):
                if name in self.fields:
                    self.fields[name].disabled = True

    def clean_phone(self) -> str:
        return phone_number(self.cleaned_data.get("phone") or "")

    def clean(self) -> dict:
        data = super().clean()
        regency = data.get("regency") if "regency" in self.fields else self.user.regency
        village = data.get("village")
        if data.get("source") == FundSource.DANA_DESA:
            if village is None:
                self.add_error("village", "Dana desa harus menyebut desanya.")
            elif regency is not None and not village.code.startswith(regency.prefix):
                self.add_error("village", f"{village} bukan desa di {regency}.")
            elif not data.get("name"):
                data["name"] = f"Dana {village}"
        else:
            data["village"] = None  # only a village fund belongs to a desa
        if not data.get("name") and "name" not in self.errors:
            self.add_error("name", "Nama pembayar wajib diisi.")
        return data

    def validate_constraints(self) -> None:
        # clean() keeps the check constraint; the one village fund per desa is left to the
        # database in save_for(), the one place that cannot be raced, with our own message.
        pass

    def save_for(self) -> Payer | None:
        """Save as the signed-in user; None, with the message at the field, when the desa already
        has a village fund (the database decides, so two people adding it at once cannot both)."""
        payer = self.save(commit=False)
        if "regency" not in self.fields:
            payer.regency = self.user.regency
        if not payer.pk:
            payer.created_by = self.user
        try:
            with transaction.atomic():
                payer.save()
        except IntegrityError:
            if not (payer.source == FundSource.DANA_DESA and _has_village_fund(payer)):
                raise
            self.add_error("village", f"{payer.village} sudah punya pembayar dana desa.")
            return None
        return payer


def _has_village_fund(payer: Payer) -> bool:
    return Payer.objects.filter(source=FundSource.DANA_DESA, village=payer.village).exclude(pk=payer.pk).exists()
