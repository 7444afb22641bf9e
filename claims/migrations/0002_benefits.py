import datetime

from django.db import migrations

REGULATION = "PP 44/2015 jo. PP 82/2019 (peserta bukan penerima upah)"
BENEFITS = [
    ("JKM", 1, "Santunan kematian", 20_000_000, "Dibayar sekaligus kepada ahli waris."),
    ("JKM", 2, "Santunan berkala", 12_000_000, "24 bulan × Rp 500.000, dibayar sekaligus."),
    ("JKM", 3, "Biaya pemakaman", 10_000_000, "Untuk pemakaman peserta."),
    (
        "JKM",
        4,
        "Beasiswa pendidikan anak",
        174_000_000,
        "Paling banyak untuk 2 anak, dari TK sampai perguruan tinggi, bila iuran sudah dibayar minimal 3 tahun.",
    ),
    ("JKK", 1, "Perawatan dan pengobatan", None, "Sesuai kebutuhan medis di fasilitas kesehatan BPJS, sampai sembuh."),
    (
        "JKK",
        2,
        "Santunan sementara tidak mampu bekerja",
        None,
        "100% penghasilan yang dilaporkan selama 12 bulan pertama, 50% untuk bulan berikutnya sampai sembuh.",
    ),
    ("JKK", 3, "Santunan cacat", None, "Menurut persentase cacat, dihitung dari penghasilan yang dilaporkan."),
    ("JKK", 4, "Santunan kematian akibat kecelakaan kerja", None, "48 × penghasilan yang dilaporkan."),
    (
        "JKK",
        5,
        "Beasiswa pendidikan anak",
        174_000_000,
        "Paling banyak untuk 2 anak bila peserta meninggal atau cacat total tetap akibat kecelakaan kerja.",
    ),
]


def add_benefits(apps, schema_editor):
    Benefit = apps.get_model("claims", "Benefit")
    for kind, order, name, amount, description in BENEFITS:
        Benefit.objects.get_or_create(
            kind=kind,
            name=name,
            valid_from=datetime.date(2019, 12, 2),
            defaults={"order": order, "amount": amount, "description": description, "regulation": REGULATION},
        )


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]
    operations = [migrations.RunPython(add_benefits, migrations.RunPython.noop)]
