import django.db.models.deletion
from django.db import migrations, models

# A claim carries its farmer's desa, so that the claims of an area, and their totals per kecamatan,
# are read from the claims alone: at a million farmers, joining each claim to its farmer read the
# whole farmer table for an admin (200 ms) and a regency's farmers three times for Dinas.
#
# When a farmer's desa is corrected, a trigger moves their claims with them, in the same
# statement: whichever way the farmer is saved (the correction form, Django admin, a history
# revert, queryset.update()), the claims follow, and enrollment, which must not know of claims
# (docs/architecture.md), has nothing to call. Saving a farmer without changing the desa writes
# nothing (the WHEN clause). Claims are few per farmer, found through claims_claim.farmer_id.
FILL = """
UPDATE claims_claim SET village_id = (
    SELECT village_id FROM enrollment_farmer WHERE enrollment_farmer.id = claims_claim.farmer_id
)
"""
TRIGGER = {
    "postgresql": """
CREATE FUNCTION claims_claim_follow_farmer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE claims_claim SET village_id = NEW.village_id WHERE farmer_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER claim_village_follows_farmer AFTER UPDATE OF village_id ON enrollment_farmer
    FOR EACH ROW WHEN (OLD.village_id <> NEW.village_id) EXECUTE FUNCTION claims_claim_follow_farmer();
""",
    "sqlite": """
CREATE TRIGGER claim_village_follows_farmer AFTER UPDATE OF village_id ON enrollment_farmer
    FOR EACH ROW WHEN OLD.village_id <> NEW.village_id
BEGIN
    UPDATE claims_claim SET village_id = NEW.village_id WHERE farmer_id = NEW.id;
END;
""",
}
DROP_TRIGGER = {
    "postgresql": """
DROP TRIGGER claim_village_follows_farmer ON enrollment_farmer;
DROP FUNCTION claims_claim_follow_farmer();
""",
    "sqlite": "DROP TRIGGER claim_village_follows_farmer;",
}


def fill(apps, schema_editor):
    schema_editor.execute(FILL)
    if schema_editor.connection.vendor == "postgresql":
        # The new key's checks wait for the commit (deferred), and PostgreSQL refuses the ALTER
        # below while they wait: run them now, then defer again as Django's keys expect.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def _by_vendor(statements):
    def run(apps, schema_editor):
        # SQLite runs one statement per execute(); its trigger is one statement.
        schema_editor.execute(statements[schema_editor.connection.vendor])

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0003_claim_created_at_index"),
        ("enrollment", "0008_farmer_scope_index"),
        ("wilayah", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="village",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wilayah.region",
                verbose_name="desa/kelurahan",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="claim",
            name="village",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wilayah.region",
                verbose_name="desa/kelurahan",
            ),
        ),
        migrations.RunPython(_by_vendor(TRIGGER), _by_vendor(DROP_TRIGGER), elidable=False),
    ]
