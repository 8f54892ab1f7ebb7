"""fill row kinds and flags: each checkpointed row says what it is and why a person must see it

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('fill_rows') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=12), server_default='question', nullable=False))
        batch.add_column(sa.Column('flags', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('fill_rows') as batch:
        batch.drop_column('flags')
        batch.drop_column('kind')
