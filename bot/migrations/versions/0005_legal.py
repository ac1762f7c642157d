"""legal: cases, evidence, case messages, FAQ consultations and knowledge drafts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

from bot.core.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "legal_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("employer", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("work_start", sa.Date(), nullable=True),
        sa.Column("work_end", sa.Date(), nullable=True),
        sa.Column("still_working", sa.Boolean(), nullable=False),
        sa.Column("incident_on", sa.Date(), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("contact", sa.String(length=8), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("consent_at", UTCDateTime(), nullable=False),
        sa.Column("consent_version", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("deadline_rule", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("root_message_id", sa.BigInteger(), nullable=True),
        sa.Column("announced_at", UTCDateTime(), nullable=True),
        sa.Column("reannounced", sa.Integer(), nullable=False),
        sa.Column("escalated_at", UTCDateTime(), nullable=True),
        sa.Column("claimed_by", sa.BigInteger(), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("volunteer_named", sa.Boolean(), nullable=False),
        sa.Column("first_reply_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_legal_cases_user_id", "legal_cases", ["user_id"])
    op.create_index("ix_legal_cases_claimed_by", "legal_cases", ["claimed_by"])
    op.create_index("ix_legal_cases_status_created", "legal_cases", ["status", "created_at"])
    op.create_table(
        "legal_evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("legal_cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_id", sa.String(length=256), nullable=False),
        sa.Column("file_unique_id", sa.String(length=128), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_legal_evidence_case_id", "legal_evidence", ["case_id"])
    op.create_table(
        "legal_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("legal_cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.String(length=4096), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("chat_id", "message_id"),
    )
    op.create_index("ix_legal_messages_case_id", "legal_messages", ["case_id"])
    op.create_table(
        "legal_consultations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("entry_id", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("helped", sa.Boolean(), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_legal_consultations_user_id", "legal_consultations", ["user_id"])
    op.create_index("ix_legal_consultations_at", "legal_consultations", ["at"])
    op.create_table(
        "legal_drafts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("legal_cases.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("phrases", sa.JSON(), nullable=False),
        sa.Column("answer", sa.String(length=3000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviewed_by", sa.BigInteger(), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_legal_drafts_status", "legal_drafts", ["status"])


def downgrade() -> None:
    for table in (
        "legal_drafts",
        "legal_consultations",
        "legal_messages",
        "legal_evidence",
        "legal_cases",
    ):
        op.drop_table(table)
