"""sealed TOTP secrets

The two-step login's TOTP secret is stored sealed (wijscan/services/sealed.py: Fernet, with a key
derived from SECRET_KEY), which is longer than the secret: the column grows to 255 characters,
and the secrets stored before are sealed here. Run outside the app (plain alembic, no
SECRET_KEY), the secrets are left as they are and each is sealed at its user's next code.

Revision ID: 5c2f1d7e9a31
Revises: 33950a621145
Create Date: 2026-12-02 08:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c2f1d7e9a31'
down_revision = '33950a621145'
branch_labels = None
depends_on = None

users = sa.table('user_account', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))


def _rewrite(change):
    from flask import has_app_context

    if not has_app_context():
        return
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret != '')
    ).all()
    for user_id, stored in rows:
        new = change(stored)
        if new != stored:
            connection.execute(
                users.update().where(users.c.id == user_id).values(totp_secret=new)
            )


def _resize(old, new):
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column(
            'totp_secret',
            existing_type=sa.String(length=old),
            type_=sa.String(length=new),
            existing_nullable=False,
            existing_server_default='',
        )


def upgrade():
    _resize(64, 255)
    from wijscan.services import sealed

    _rewrite(lambda stored: stored if stored.startswith(sealed.PREFIX) else sealed.seal(stored))


def downgrade():
    from wijscan.services import sealed

    _rewrite(sealed.unseal)
    _resize(255, 64)
