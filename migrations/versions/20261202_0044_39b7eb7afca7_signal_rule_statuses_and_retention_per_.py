"""signal rule, statuses and retention per school

The signal rule (overall level at most signal_level, or a critical answer) and the retention
terms (individual data in months after a round closes, the audit log in months) become school
settings; retention_days becomes retention_months. Signal statuses are those of the care
protocol: nieuw, in gesprek, doorverwezen, afgesloten (stored by name).

Revision ID: 39b7eb7afca7
Revises: 074ed54a938d
Create Date: 2026-12-02 00:44:50.739263

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '39b7eb7afca7'
down_revision = '074ed54a938d'
branch_labels = None
depends_on = None


STATUSES = (("OPEN", "NEW"), ("IN_PROGRESS", "TALKING"), ("DONE", "CLOSED"))


def upgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_months', sa.Integer(), nullable=False, server_default='12'))
        batch_op.add_column(sa.Column('audit_retention_months', sa.Integer(), nullable=False, server_default='24'))
        batch_op.add_column(sa.Column('signal_level', sa.Integer(), nullable=False, server_default='2'))
        batch_op.add_column(sa.Column('signal_on_critical', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.execute(
        "UPDATE school SET retention_months ="
        " CASE WHEN retention_days < 31 THEN 1 WHEN retention_days > 3650 THEN 120"
        " ELSE CAST(ROUND(retention_days / 30.44) AS INTEGER) END"
    )
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_column('retention_days')
        batch_op.create_check_constraint('retention_range', 'retention_months BETWEEN 1 AND 120')
        batch_op.create_check_constraint('audit_retention_range', 'audit_retention_months BETWEEN 1 AND 120')
        batch_op.create_check_constraint('signal_level_range', 'signal_level BETWEEN 0 AND 5')
    for old, new in STATUSES:
        op.execute(f"UPDATE signal SET status = '{new}' WHERE status = '{old}'")
        op.execute(f"UPDATE signal_follow_up SET status = '{new}' WHERE status = '{old}'")


def downgrade():
    op.execute("UPDATE signal SET status = 'IN_PROGRESS' WHERE status = 'REFERRED'")
    op.execute("UPDATE signal_follow_up SET status = 'IN_PROGRESS' WHERE status = 'REFERRED'")
    for old, new in STATUSES:
        op.execute(f"UPDATE signal SET status = '{old}' WHERE status = '{new}'")
        op.execute(f"UPDATE signal_follow_up SET status = '{old}' WHERE status = '{new}'")
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_days', sa.INTEGER(), nullable=False, server_default='365'))
    op.execute("UPDATE school SET retention_days = retention_months * 30")
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_school_signal_level_range'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_school_audit_retention_range'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_school_retention_range'), type_='check')
        batch_op.drop_column('signal_on_critical')
        batch_op.drop_column('signal_level')
        batch_op.drop_column('audit_retention_months')
        batch_op.drop_column('retention_months')
