"""WhatsApp links: the stored 08… number in the international form, the text encoded."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from sutasoma.whatsapp import whatsapp_link, whatsapp_number


@pytest.mark.parametrize(
    ("phone", "number"),
    [
        ("081234567890", "6281234567890"),
        ("0812345678", "62812345678"),  # the shortest mobile numbers: 10 digits
        ("0812345678901", "62812345678901"),  # the longest: 13
        (" 085299887766 ", "6285299887766"),
    ],
)
def test_a_mobile_number_becomes_its_international_form(phone, number):
    assert whatsapp_number(phone) == number


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "048421234",  # a landline in Watansoppeng
        "080012345678",  # toll-free
        "081234567",  # too short
        "08123456789012",  # too long
        "6281234567890",  # not as SUTASOMA stores it
        "0812-3456-7890",
        "０８１２３４５６７８９０",  # full-width digits
    ],
)
def test_a_number_that_is_not_a_mobile_gets_no_number_and_no_link(phone):
    assert whatsapp_number(phone) is None
    assert whatsapp_link(phone, "Halo") is None


def test_the_link_carries_the_whole_text_encoded():
    text = "Assalamualaikum Ibu HASNAH, iuran Rp 16.800 & lainnya? 100%/bulan #1"
    link = whatsapp_link("081234567890", text)
    prefix = "https://wa.me/6281234567890?text="
    assert link.startswith(prefix)
    encoded = link.removeprefix(prefix)
    assert not set(encoded) & set(" ,&?#/")  # nothing that would end or split the query
    assert unquote(encoded) == text
