from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory

from accounts.models import User
from enrollment.ktp import MAX_MB as KTP_MAX_MB
from enrollment.ktp import KtpError, KtpFile, process_ktp_upload
from enrollment.models import MAX_INCOME, MIN_INCOME, Farmer, Relation, Sex
from enrollment.nik import registration_problems
from enrollment.selectors import Matches, duplicates_for, nik_holder_for, villages_for
from enrollment.services import (
    MAX_HEIRS,
    HeirData,
    LookupLimitReached,
    NikAlreadyRegistered,
    Registration,
    duplicate_lookup,
    nik_lookup,
)
from sutasoma.fields import NumberTextField, UpperLineField, digits, phone_number
from sutasoma.formatting import rupiah
from sutasoma.text import TextProblem, ascii_digits

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}


REGISTERED_ELSEWHERE = "NIK ini sudah terdaftar di luar wilayah Anda. Hubungi koordinator BPP."


AREA_CODE = r"^[0-9]{2}(\.[0-9]{2}){1,2}(\.[0-9]{4})?$"


class AreaFilterForm(forms.Form):
    """The levels of the area filter (enrollment.selectors.area_filter), for a search form to build on."""

    kabupaten = forms.RegexField(regex=AREA_CODE, max_length=5, required=False)
    kecamatan = forms.RegexField(regex=AREA_CODE, max_length=8, required=False)
    desa = forms.RegexField(regex=AREA_CODE, max_length=13, required=False)

    def area_data(self) -> dict[str, str]:
        # Only the levels the form sent: one sent empty means "Semua", one missing follows the others.
        data = self.cleaned_data if self.is_valid() else {}
        return {key: data.get(key) or "" for key in ("kabupaten", "kecamatan", "desa") if key in self.data}


class FarmerForm(forms.ModelForm):
    """Registration from a KTP copy. Also validates each row of an import (without the photo)."""

    ktp_upload = forms.FileField(
        label="Foto atau scan KTP",
        required=True,
        help_text=f"JPG, PNG atau PDF, maksimal {KTP_MAX_MB} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf", "capture": "environment"}),
    )
    consent = forms.BooleanField(
        label="Petani sudah menyetujui data pribadinya diproses untuk kepesertaan BPJS Ketenagakerjaan.",
        error_messages={"required": "Persetujuan petani wajib dicatat sebelum mendaftar."},
    )
    confirm_not_duplicate = forms.BooleanField(label="Sudah saya periksa: ini orang yang berbeda.", required=False)

    class Meta:
        model = Farmer
        fields = [
            "nik",
            "no_kk",
            "name",
            "birth_place",
            "birth_date",
            "sex",
            "address",
            "rt",
            "rw",
            "village",
            "phone",
            "occupation",
            "farmer_group",
            "income",
        ]
        field_classes = {
            "name": UpperLineField,
            "birth_place": UpperLineField,
            "address": UpperLineField,
            "farmer_group": UpperLineField,
            "nik": NumberTextField,
            "no_kk": NumberTextField,
            "rt": NumberTextField,
            "rw": NumberTextField,
            "phone": NumberTextField,
        }
        widgets = {
            "nik": forms.TextInput(attrs={**NUMERIC, "maxlength": 16, "placeholder": "7312014501900001"}),
            "no_kk": forms.TextInput(attrs={**NUMERIC, "maxlength": 16}),
            "name": forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
            "birth_place": forms.TextInput(attrs={"autocapitalize": "characters"}),
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "sex": forms.RadioSelect,
            "rt": forms.TextInput(attrs={**NUMERIC, "maxlength": 3, "placeholder": "001"}),
            "rw": forms.TextInput(attrs={**NUMERIC, "maxlength": 3, "placeholder": "002"}),
            "phone": forms.TextInput(
                attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "placeholder": "081234567890"}
            ),
            "income": forms.NumberInput(
                attrs={"inputmode": "numeric", "min": MIN_INCOME, "max": MAX_INCOME, "step": 1000}
            ),
        }

    def __init__(
        self,
        *args,
        user: User,
        today: dt.date,
        require_ktp: bool = True,
        count_lookups: bool = True,
        kept_ktp: KtpFile | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.today = user, today
        # The photo sent with an earlier try of this form (enrollment/kept_ktp.py): used unless replaced.
        self.kept_ktp = kept_ktp
        # The importer counts and logs its lookups per file, by its own rule (importer.py).
        self.count_lookups = count_lookups
        self.ktp_file: KtpFile | None = None
        self.duplicates = Matches(in_scope=[], outside=0)
        self.existing = Matches(in_scope=[], outside=0)
        self.fields["sex"].choices = Sex.choices  # no blank "select" radio next to L and P
        self._village_choices(user)
        self.fields["ktp_upload"].required = require_ktp and kept_ktp is None
        if self.instance.pk:
            del self.fields["consent"]  # recorded at registration; a correction does not ask again
        self.fields["income"].help_text = f"Dasar iuran JKK (1%). Bawaan {rupiah(MIN_INCOME)}."

    def clean_nik(self) -> str:
        nik = digits(self.cleaned_data["nik"], length=16, label="NIK")
        # A correction keeps its own NIK; only someone else's counts as already registered.
        try:
            self.existing = self._holders(nik)
        except LookupLimitReached as exc:
            raise forms.ValidationError(str(exc), code="throttled") from exc
        if self.existing.in_scope:
            raise forms.ValidationError("NIK ini sudah terdaftar.", code="registered")
        if self.existing.outside:
            raise forms.ValidationError(REGISTERED_ELSEWHERE, code="registered")
        return nik

    def _village_choices(self, user: User) -> None:
        self.fields["village"].queryset = villages_for(user)
        self.fields["village"].empty_label = "— pilih desa/kelurahan —"

    def _holders(self, nik: str) -> Matches:
        """Who else holds the NIK, as far as the user may know."""
        if self.count_lookups:
            return nik_lookup(user=self.user, nik=nik, exclude_pk=self.instance.pk)
        return nik_holder_for(self.user, nik=nik, exclude_pk=self.instance.pk)

    def clean_no_kk(self) -> str:
        return digits(self.cleaned_data["no_kk"], length=16, label="Nomor KK")

    def _rt_rw(self, field: str) -> str:
        try:
            value = ascii_digits(self.cleaned_data.get(field) or "")
        except TextProblem as exc:
            raise forms.ValidationError("Isi dengan angka, paling banyak 3 angka.") from exc
        if len(value) > 3:
            raise forms.ValidationError("Isi dengan angka, paling banyak 3 angka.")
        return value.zfill(3) if value else ""

    def clean_rt(self) -> str:
        return self._rt_rw("rt")

    def clean_rw(self) -> str:
        return self._rt_rw("rw")

    def clean_phone(self) -> str:
        return phone_number(self.cleaned_data.get("phone") or "")

    def clean_income(self) -> int:
        income = self.cleaned_data["income"]
        if not MIN_INCOME <= income <= MAX_INCOME:
            raise forms.ValidationError(f"Penghasilan harus antara {rupiah(MIN_INCOME)} dan {rupiah(MAX_INCOME)}.")
        return income

    def clean_ktp_upload(self):
        upload = self.cleaned_data.get("ktp_upload")
        if upload:
            try:
                self.ktp_file = process_ktp_upload(upload)
            except KtpError as exc:
                raise forms.ValidationError(str(exc)) from exc
        else:
            self.ktp_file = self.kept_ktp
        return upload

    @property
    def new_ktp(self) -> KtpFile | None:
        """A photo sent with this try and accepted by the intake, not the one kept from before."""
        return self.ktp_file if self.ktp_file is not self.kept_ktp else None

    def clean(self) -> dict:
        data = super().clean()
        if data.get("nik"):
            for field, message in registration_problems(
                nik=data["nik"], birth_date=data.get("birth_date"), sex=data.get("sex"), today=self.today
            ).items():
                self.add_error(field, message)
        if data.get("name") and data.get("birth_date") and data.get("nik") and not data.get("confirm_not_duplicate"):
            self.duplicates = self._duplicates(data)
            if self.duplicates:
                self.add_error(
                    "confirm_not_duplicate",
                    "Ada petani dengan nama dan tanggal lahir yang sama. Periksa dulu, lalu centang.",
                )
        return data

    def _duplicates(self, data: dict) -> Matches:
        person = {"name": data["name"], "birth_date": data["birth_date"], "nik": data["nik"]}
        if not self.count_lookups:
            return duplicates_for(self.user, **person, exclude_pk=self.instance.pk)
        try:
            return duplicate_lookup(user=self.user, **person, exclude_pk=self.instance.pk)
        except LookupLimitReached as exc:
            self.add_error(None, str(exc))
            return Matches(in_scope=[], outside=0)

    def run(self, action: Callable[[], Farmer]) -> Farmer | None:
        """Call a service that saves this form's farmer; its refusals become errors on the form."""
        try:
            return action()
        except NikAlreadyRegistered as exc:
            self.existing = nik_holder_for(self.user, nik=exc.farmer.nik, exclude_pk=self.instance.pk)
            self.add_error(
                "nik", "NIK ini sudah terdaftar untuk petani lain." if self.existing.in_scope else REGISTERED_ELSEWHERE
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return None

    def registration(self, heirs: list[HeirData], submission_token=None) -> Registration:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return Registration(fields=fields, heirs=heirs, ktp=self.ktp_file, submission_token=submission_token)


class HeirForm(forms.Form):
    name = UpperLineField(label="Nama ahli waris", max_length=100, required=False)
    relation = forms.ChoiceField(label="Hubungan", choices=[("", "— pilih —"), *Relation.choices], required=False)
    nik = NumberTextField(
        label="NIK ahli waris",
        required=False,
        widget=forms.TextInput(attrs={**NUMERIC, "maxlength": 16}),
    )

    def clean_nik(self) -> str:
        nik = self.cleaned_data.get("nik", "")
        return digits(nik, length=16, label="NIK ahli waris") if nik else ""

    def clean(self) -> dict:
        data = super().clean()
        if data.get("name") and not data.get("relation"):
            self.add_error("relation", "Pilih hubungan ahli waris dengan petani.")
        if data.get("relation") and not data.get("name"):
            self.add_error("name", "Isi nama ahli waris.")
        return data

    def heir(self) -> HeirData | None:
        data = self.cleaned_data
        if not data.get("name"):
            return None
        return HeirData(name=data["name"], relation=data["relation"], nik=data.get("nik", ""))


# validate_max and absolute_max: a hand-made TOTAL_FORMS of 300 is refused, not saved.
HeirFormSet = formset_factory(HeirForm, extra=2, max_num=MAX_HEIRS, validate_max=True, absolute_max=MAX_HEIRS)
