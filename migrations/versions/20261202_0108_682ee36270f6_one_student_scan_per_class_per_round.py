"""one student scan per class per round

A class has at most one student scan per meetmoment. Until now only the open scan was looked
for, so a closed class scan still offered "Scan openen" and a second submit made a second scan
at 0 of 26 that hid the first (and its finished students) from the round's participation. The
rule is now a unique index on (round_id, klas_id); the staff scan has no class (NULL), and NULLs
are distinct in a unique index on SQLite and PostgreSQL, so it is not limited.

Scans that the old behaviour doubled and that nobody answered are removed first (their codes,
links and empty results with them), keeping the class's scan that has answers, or else its
first. When one class has two scans *with answers* in one round, the upgrade stops and names
them: which answers to keep is the school's decision, not a migration's.

Revision ID: 682ee36270f6
Revises: 265ef9a2a32d
Create Date: 2026-12-02 01:08:35.243499

"""
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '682ee36270f6'
down_revision = '265ef9a2a32d'
branch_labels = None
depends_on = None

#: Rows that belong to a scan (all ON DELETE CASCADE; deleted explicitly so that the clean-up does
#: not depend on SQLite's foreign-key pragma).
SCAN_CHILDREN = ("signal", "stored_result", "respondent_link", "access_code")


def _doubled_scans(conn):
    """(round_id, klas_id) -> [(scan id, has answers)] for classes with more than one scan."""
    rows = conn.execute(
        sa.text(
            "SELECT s.id, s.round_id, s.klas_id,"
            " EXISTS (SELECT 1 FROM response r WHERE r.scan_id = s.id) AS answered"
            " FROM scan s WHERE s.klas_id IS NOT NULL AND EXISTS ("
            "  SELECT 1 FROM scan t WHERE t.round_id = s.round_id AND t.klas_id = s.klas_id"
            "  AND t.id <> s.id)"
            " ORDER BY s.id"
        )
    ).all()
    groups = defaultdict(list)
    for scan_id, round_id, klas_id, answered in rows:
        groups[(round_id, klas_id)].append((scan_id, bool(answered)))
    return groups


def upgrade():
    conn = op.get_bind()
    groups = _doubled_scans(conn)
    conflicts = {key: ids for key, ids in groups.items() if sum(a for _, a in ids) > 1}
    if conflicts:
        named = "; ".join(
            f"round {round_id}, class {klas_id}: scans {', '.join(str(i) for i, a in ids if a)}"
            for (round_id, klas_id), ids in sorted(conflicts.items())
        )
        raise RuntimeError(
            "A class has more than one student scan with answers in one round, so the rule "
            f"'one scan per class per round' cannot be added ({named}). Keep one scan per class "
            "and round (export the other first, then delete it) and run the upgrade again."
        )
    doomed = []
    for ids in groups.values():
        keep = next((i for i, answered in ids if answered), ids[0][0])
        doomed.extend(i for i, _ in ids if i != keep)
    if doomed:
        scan_ids = sa.bindparam("ids", expanding=True)
        for table in SCAN_CHILDREN:
            conn.execute(
                sa.text(f"DELETE FROM {table} WHERE scan_id IN :ids").bindparams(scan_ids),
                {"ids": doomed},
            )
        conn.execute(
            sa.text("DELETE FROM scan WHERE id IN :ids").bindparams(scan_ids), {"ids": doomed}
        )
    # A unique index, not a constraint: SQLite creates it in place. A constraint would need
    # batch mode's table rebuild, and dropping the old scan table with foreign keys on deletes
    # every code, response and result of every scan (ON DELETE CASCADE).
    op.create_index('uq_scan_round_id_klas_id', 'scan', ['round_id', 'klas_id'], unique=True)


def downgrade():
    op.drop_index('uq_scan_round_id_klas_id', table_name='scan')
