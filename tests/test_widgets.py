"""sutasoma/widgets.py: a long select written in Python must be the select Django would write."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.utils.safestring import mark_safe

from sutasoma.widgets import LongSelect

CHOICES = [
    ("", "Seluruh wilayah <saya>"),
    ("73.12.04", "Kecamatan Lalabata & 'Sekitarnya'"),
    ("safe", mark_safe("<b>sudah aman</b>")),
    ("Grup", [("a", "A"), ("b", "B")]),
    (3, "tiga"),
]


def form_class(widget: type[forms.Select] | forms.Select) -> type[forms.Form]:
    class AreaForm(forms.Form):
        area = forms.ChoiceField(choices=CHOICES, required=True, widget=widget)

    return AreaForm


def html(bound_field) -> str:
    return re.sub(r">\s+<", "><", str(bound_field)).strip()  # the blank lines between options aside


@pytest.mark.parametrize(
    ("initial", "data"),
    [({"area": "73.12.04"}, None), ({"area": "b"}, None), ({"area": 3}, None), ({}, {"area": ""}), ({}, {"area": "x"})],
)
def test_it_writes_what_django_select_writes(initial, data):
    attrs = {"form": "f-filter", "data-on": True, "hidden": False, "data-quote": 'a"b'}
    ours = form_class(LongSelect(attrs=attrs))(data, initial=initial)
    django = form_class(forms.Select(attrs=attrs))(data, initial=initial)
    if data is not None:
        assert not ours.is_valid() and not django.is_valid()

    assert html(ours["area"]) == html(django["area"])


def test_it_escapes_labels_and_keeps_the_chosen_option():
    page = html(form_class(LongSelect)(initial={"area": "73.12.04"})["area"])

    assert "Seluruh wilayah &lt;saya&gt;" in page and "Lalabata &amp; &#x27;Sekitarnya&#x27;" in page
    assert "<b>sudah aman</b>" in page
    assert '<option value="73.12.04" selected>' in page and page.count("selected") == 1
    assert '<optgroup label="Grup"><option value="a">A</option>' in page
