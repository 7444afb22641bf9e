"""The triggers that keep the monev rollup (monitoring.models.MonevTally, CollectedTally), and
its first count: docs/architecture.md#figures-at-scale. Apart from 0003, so the tables' unique
keys exist when the first count upserts into them."""

from django.conf import settings
from django.db import migrations

# Each figure is a function of the farmers and their payments. A statement on one of the two
# tables changes it by (figures of the new rows with the other table as it is) minus (figures of
# the old rows likewise): one statement at a time, the changes add up to the figures of the end
# state whichever table is written first (the foreign keys are deferred). Statement-level
# triggers with transition tables, as for the farmer tally (enrollment/0007): a COPY or an import
# batch is one grouped upsert, keys upserted in order, an update changing no key writes nothing.


def _month(at: str) -> str:
    """The month (WITA, the programme's time) of a timestamp, as its first day."""
    return f"date_trunc('month', {at} AT TIME ZONE '{settings.TIME_ZONE}')::date"


def _created(farmers: str, sign: int) -> str:
    return (
        f"SELECT village_id, agent_id, kpj IS NOT NULL, {_month('created_at')}, {sign},"
        f" {sign} * (registration_status <> 'DITOLAK')::int, 0, 0 FROM {farmers}"
    )


def _cover(farmers: str, payments: str, sign: int) -> str:
    """Each farmer once per month their payments count in (monitoring/monev.py): a payment counts
    from the later of its first month and the month it was received, to the month after its
    last (the grace month); active up to its last."""
    return f"""SELECT village_id, agent_id, registered, month, 0, 0, {sign} * MAX(active), {sign}
        FROM (SELECT f.id, f.village_id, f.agent_id, f.kpj IS NOT NULL AS registered, m.month, m.active
              FROM {payments} p JOIN {farmers} f ON f.id = p.farmer_id
              CROSS JOIN LATERAL (
                  SELECT g::date AS month, (g::date <= p.end_month)::int AS active
                  FROM generate_series(greatest(p.start_month, {_month("p.paid_at")})::timestamp,
                                       (p.end_month + interval '1 month')::timestamp, interval '1 month') g
              ) m
              WHERE p.status <> 'DITOLAK') AS c
        GROUP BY id, village_id, agent_id, registered, month"""


def _collected(farmers: str, payments: str, sign: int) -> str:
    return (
        f"SELECT f.village_id, f.agent_id, {_month('p.paid_at')}, p.source, {sign} * p.amount::bigint,"
        f" {sign} * p.months FROM {payments} p JOIN {farmers} f ON f.id = p.farmer_id WHERE p.status <> 'DITOLAK'"
    )


def _apply(ctes: str, tally: list[str], collected: list[str]) -> str:
    """Two grouped upserts of the changes; rows that net to zero are not written."""
    return f"""
    {ctes} INSERT INTO monitoring_monevtally
        (village_id, agent_id, registered, month, created, new_registrations, active, counted)
    SELECT k1, k2, k3, k4, SUM(c1), SUM(c2), SUM(c3), SUM(c4)
    FROM ({" UNION ALL ".join(tally)}) AS c (k1, k2, k3, k4, c1, c2, c3, c4)
    GROUP BY 1, 2, 3, 4 HAVING SUM(c1) <> 0 OR SUM(c2) <> 0 OR SUM(c3) <> 0 OR SUM(c4) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (village_id, agent_id, registered, month) DO UPDATE SET
        created = monitoring_monevtally.created + EXCLUDED.created,
        new_registrations = monitoring_monevtally.new_registrations + EXCLUDED.new_registrations,
        active = monitoring_monevtally.active + EXCLUDED.active,
        counted = monitoring_monevtally.counted + EXCLUDED.counted;
    {ctes} INSERT INTO monitoring_collectedtally (village_id, agent_id, month, source, amount, months)
    SELECT k1, k2, k3, k4, SUM(c1), SUM(c2)
    FROM ({" UNION ALL ".join(collected)}) AS c (k1, k2, k3, k4, c1, c2)
    GROUP BY 1, 2, 3, 4 HAVING SUM(c1) <> 0 OR SUM(c2) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (village_id, agent_id, month, source) DO UPDATE SET
        amount = monitoring_collectedtally.amount + EXCLUDED.amount,
        months = monitoring_collectedtally.months + EXCLUDED.months;
    """


FARMER = "id, village_id, agent_id, kpj, created_at, registration_status"
PAYMENT = "id, farmer_id, start_month, end_month, paid_at, status, source, amount, months"
# What an update must change to move a figure; anything else (a phone, *lunas sampai*, the
# insurer's confirmation) passes without work.
FARMER_KEYS = "village_id, agent_id, kpj IS NULL, created_at, registration_status = 'DITOLAK'"
PAYMENT_KEYS = "farmer_id, start_month, end_month, paid_at, status = 'DITOLAK', source, amount, months"


def _changed(columns: str, keys: str, op: str) -> str:
    """new_x and old_x: the rows a statement added and removed, as far as the figures go."""
    if op == "INSERT":
        return f"new_x AS (SELECT {columns} FROM new_rows), old_x AS (SELECT {columns} FROM new_rows WHERE false)"
    if op == "DELETE":
        return f"old_x AS (SELECT {columns} FROM old_rows), new_x AS (SELECT {columns} FROM old_rows WHERE false)"
    n_keys, o_keys = (", ".join(f"{alias}.{key.strip()}" for key in keys.split(",")) for alias in ("n", "o"))
    return f"""moved AS (SELECT n.id FROM new_rows n JOIN old_rows o USING (id)
                  WHERE ({n_keys}) IS DISTINCT FROM ({o_keys})),
        new_x AS (SELECT {columns} FROM new_rows WHERE id IN (SELECT id FROM moved)),
        old_x AS (SELECT {columns} FROM old_rows WHERE id IN (SELECT id FROM moved))"""


def _farmer_changes(op: str) -> str:
    ctes = f"""WITH {_changed(FARMER, FARMER_KEYS, op)},
        p AS (SELECT {PAYMENT} FROM contributions_payment
              WHERE farmer_id IN (SELECT id FROM new_x UNION SELECT id FROM old_x))"""
    tally = [_created("new_x", 1), _created("old_x", -1), _cover("new_x", "p", 1), _cover("old_x", "p", -1)]
    return _apply(ctes, tally, [_collected("new_x", "p", 1), _collected("old_x", "p", -1)])


def _payment_changes(op: str) -> str:
    ctes = f"""WITH {_changed(PAYMENT, PAYMENT_KEYS, op)},
        f AS (SELECT {FARMER} FROM enrollment_farmer
              WHERE id IN (SELECT farmer_id FROM new_x UNION SELECT farmer_id FROM old_x)),
        after_p AS (SELECT {PAYMENT} FROM contributions_payment WHERE farmer_id IN (SELECT id FROM f)),
        before_p AS (SELECT * FROM after_p WHERE id NOT IN (SELECT id FROM new_x) UNION ALL SELECT * FROM old_x)"""
    # The cover of a farmer is not a sum over payments (two may cover one month), so their
    # whole cover before and after; what was received in a month is.
    tally = [_cover("f", "after_p", 1), _cover("f", "before_p", -1)]
    return _apply(ctes, tally, [_collected("f", "new_x", 1), _collected("f", "old_x", -1)])


def _triggers(table: str, name: str, changes) -> tuple[str, str]:
    create, drop = [], []
    for op, refs in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        function = f"monitoring_monev_{name}_{op.lower()}"
        create.append(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql"
            f" AS $$ BEGIN {changes(op)} RETURN NULL; END $$;"
            f" CREATE TRIGGER {function} AFTER {op} ON {table} REFERENCING {refs}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        )
        drop.append(f"DROP TRIGGER {function} ON {table}; DROP FUNCTION {function}();")
    return "\n".join(create), "\n".join(drop)


FARMER_TRIGGERS = _triggers("enrollment_farmer", "farmers", _farmer_changes)
PAYMENT_TRIGGERS = _triggers("contributions_payment", "payments", _payment_changes)
# `manage.py rekap_monev` (monitoring/rollup.py) runs this: everything counted again, writers
# waiting meanwhile.
REBUILD = f"""
CREATE FUNCTION monitoring_monev_rebuild() RETURNS void LANGUAGE plpgsql AS $$ BEGIN
    LOCK TABLE enrollment_farmer, contributions_payment IN SHARE MODE;
    DELETE FROM monitoring_monevtally;
    DELETE FROM monitoring_collectedtally;
    {
    _apply(
        "",
        [_created("enrollment_farmer", 1), _cover("enrollment_farmer", "contributions_payment", 1)],
        [_collected("enrollment_farmer", "contributions_payment", 1)],
    )
}
END $$;
"""
CREATE = f"{REBUILD} {FARMER_TRIGGERS[0]} {PAYMENT_TRIGGERS[0]} SELECT monitoring_monev_rebuild();"
DROP = f"{FARMER_TRIGGERS[1]} {PAYMENT_TRIGGERS[1]} DROP FUNCTION monitoring_monev_rebuild();"


def _where_kept(sql):
    def run(apps, schema_editor):
        # Only where the tables exist (PostgreSQL 15+, the models' required_db_features);
        # elsewhere (SQLite for `make run`) monev.py and trends.py count live.
        if schema_editor.connection.features.supports_nulls_distinct_unique_constraints:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0007_payment_waiting_index"),
        ("enrollment", "0007_farmer_tally"),
        ("monitoring", "0003_monev_tally"),
    ]

    operations = [migrations.RunPython(_where_kept(CREATE), _where_kept(DROP))]
