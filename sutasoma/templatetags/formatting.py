"""The formatting functions of sutasoma/formatting.py, as template filters, and the status badge."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

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


@register.simple_tag
def status_badge(status: object, label: object) -> SafeString:
    """A status as a coloured badge (`.status-<status>` in static/css/app.css). A tag rather than an
    included template: lists show one per row, and an include costs five times as much (25 rows of
    the farmer list: 1 ms of the page)."""
    return format_html('<span class="status status-{}">{}</span>', str(status).lower(), label)
