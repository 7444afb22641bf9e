"""The formatting functions of sutasoma/formatting.py, as template filters."""

from django import template

from sutasoma import formatting

register = template.Library()

for _name in ("angka", "rupiah", "persen", "rupiah_words", "tanggal", "tanggal_jam", "bulan", "masked_nik", "durasi"):
    register.filter(_name, getattr(formatting, _name))
