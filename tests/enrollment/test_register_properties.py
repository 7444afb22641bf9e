"""Any text in any field of the registration form: a clear message at the field or a clean
save, never an exception and never a half-saved farmer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrollment.forms import FarmerForm, HeirFormSet
from enrollment.models import Farmer, Heir
from enrollment.services import farmer_register
from tests.enrollment.test_register import form_data

TEXT_FIELDS = ("nik", "no_kk", "name", "birth_place", "address", "rt", "rw", "phone", "farmer_group", "income")
# Any code point, surrogates aside (no browser can send one), at lengths up to past every column.
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)
TRICKY = st.sampled_from(
    ["ß" * 60, "ŉ" * 60, "\u200b", "\u202e", "\x00", "７３１２", "٧٣١٢", "ﬀ" * 51, " " * 5, "İ" * 99]
)


def _fill(field: str, value: str) -> dict:
    data = form_data(**{field: value})
    data.pop("submission_token")
    return data


def _submit(user, data: dict) -> None:
    # Each example in its own savepoint, rolled back: the next one starts from no farmer.
    with transaction.atomic():
        _submit_once(user, data)
        transaction.set_rollback(True)


def _submit_once(user, data: dict) -> None:
    form = FarmerForm(data=data, user=user, today=dt.date(2026, 11, 30), require_ktp=False)
    heirs = HeirFormSet(data, prefix="ahli")
    if form.is_valid() and heirs.is_valid():
        registration = form.registration([h for f in heirs if (h := f.heir())])
        form.run(lambda: farmer_register(user=user, registration=registration))
    saved = Farmer.objects.filter(nik=getattr(form, "cleaned_data", {}).get("nik", "")).first()
    if saved is not None:
        saved.full_clean(validate_unique=False, validate_constraints=False)  # what was stored fits its columns
        for heir in Heir.objects.filter(farmer=saved):
            heir.full_clean()
    else:
        assert form.errors or any(heirs.errors) or heirs.non_form_errors(), "refused without saying why"


pytestmark = pytest.mark.django_db(transaction=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(TEXT_FIELDS), value=st.one_of(ANY_TEXT, TRICKY))
def test_any_text_in_a_farmer_field_is_saved_cleanly_or_refused_at_the_field(agent_user, field, value):
    try:
        _submit(agent_user, _fill(field, value))
    except ValidationError as exc:  # a service refusal reaching here would be a bug in FarmerForm.run
        pytest.fail(f"unhandled refusal: {exc}")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(("ahli-0-name", "ahli-0-nik", "ahli-0-relation")), value=st.one_of(ANY_TEXT, TRICKY))
def test_any_text_in_a_heir_field_is_saved_cleanly_or_refused_at_the_field(agent_user, field, value):
    _submit(agent_user, _fill(field, value))
