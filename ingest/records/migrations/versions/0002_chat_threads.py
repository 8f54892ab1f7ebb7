"""chat threads and their turns: Slack follow-ups, feedback, sharing and expert escalation across instances

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('chat_threads',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('surface', sa.String(length=16), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=True),
    sa.Column('asker', sa.String(length=64), nullable=False),
    sa.Column('expert', sa.String(length=64), nullable=False),
    sa.Column('expert_question', sa.Text(), nullable=False),
    sa.Column('escalated_by', sa.String(length=64), nullable=False),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('chat_turns',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('thread_key', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('meta', sa.Text(), nullable=False),
    sa.Column('answer_id', sa.String(length=64), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('user', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['thread_key'], ['chat_threads.key'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('answer_id')
    )
    op.create_index(op.f('ix_chat_turns_thread_key'), 'chat_turns', ['thread_key'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_chat_turns_thread_key'), table_name='chat_turns')
    op.drop_table('chat_turns')
    op.drop_table('chat_threads')
