import datetime as dt

from sutasoma.formatting import bulan, durasi, masked_nik, rupiah, tanggal


def test_money_dates_and_waits_read_as_in_soppeng():
    assert rupiah(16_800) == "Rp 16.800" and rupiah(2_433_000_000) == "Rp 2.433.000.000"
    assert tanggal(dt.date(2024, 12, 5)) == "5 Desember 2024"
    assert bulan(dt.date(2024, 12, 1)) == "Desember 2024"
    assert masked_nik("7312014501900001") == "7312••••••••0001"
    assert durasi(dt.timedelta(seconds=94.35)) == "1 menit 34 detik"
    assert durasi(dt.timedelta(days=2, hours=3, minutes=4)) == "2 hari 3 jam"
    assert durasi(dt.timedelta(0)) == "0 detik"


def test_amounts_read_in_words_as_a_receipt_carries_them():
    from sutasoma.formatting import rupiah_words

    assert rupiah_words(16_800) == "enam belas ribu delapan ratus rupiah"
    assert rupiah_words(50_400) == "lima puluh ribu empat ratus rupiah"
    assert rupiah_words(201_600) == "dua ratus satu ribu enam ratus rupiah"
    assert rupiah_words(1_100) == "seribu seratus rupiah"


def test_numbers_percentages_and_short_amounts_read_as_in_soppeng():
    from sutasoma.formatting import angka, bulan_singkat, persen, rupiah_singkat

    assert angka(1234) == "1.234" and angka(1_234_567.891, 2) == "1.234.567,89" and angka(12.0, 1) == "12"
    assert persen(87.54) == "87,5 %" and persen(100) == "100 %" and persen(None) == "–"
    assert rupiah_singkat(1_200_000) == "Rp 1,2 jt" and rupiah_singkat(250_000) == "Rp 250 rb"
    assert rupiah_singkat(2_500_000_000) == "Rp 2,5 M" and rupiah_singkat(800) == "Rp 800"
    assert bulan_singkat(dt.date(2025, 8, 1)) == "Agu 2025"


def test_a_status_badge_names_its_status_and_escapes_its_label():
    from sutasoma.templatetags.formatting import status_badge

    assert status_badge("MASA_TENGGANG", "Masa <tenggang>") == (
        '<span class="status status-masa_tenggang">Masa &lt;tenggang&gt;</span>'
    )
