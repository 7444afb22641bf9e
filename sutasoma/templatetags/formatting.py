"""The formatting functions of sutasoma/formatting.py, as template filters."""

from django import template

from sutasoma import formatting

register = template.Library()

for _name in (
    "angka",
    "rupiah",
    "rupiah_singkat",
    "rupiah_words",
    "persen",
    "tanggal",
    "tanggal_jam",
    "bulan",
    "bulan_singkat",
    "masked_nik",
    "durasi",
):
    register.filter(_name, getattr(formatting, _name))
