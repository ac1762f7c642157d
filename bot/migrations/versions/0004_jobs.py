"""jobs: postings, employers, reports, seekers, alerts, broadcasts and leases

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

from bot.core.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "employers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("registration_no", sa.String(length=64), nullable=True, unique=True),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_employers_name", "employers", ["name"])
    op.create_index("ix_employers_owner_id", "employers", ["owner_id"])
    op.create_table(
        "job_postings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("employer_name", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("metro_line", sa.String(length=32), nullable=False),
        sa.Column("metro_station", sa.String(length=64), nullable=False),
        sa.Column("industry", sa.String(length=32), nullable=False),
        sa.Column("employment_type", sa.String(length=16), nullable=False),
        sa.Column("pay_min", sa.Float(), nullable=True),
        sa.Column("pay_max", sa.Float(), nullable=True),
        sa.Column("pay_unit", sa.String(length=8), nullable=True),
        sa.Column("pay_text", sa.String(length=64), nullable=False),
        sa.Column("hours", sa.String(length=200), nullable=False),
        sa.Column("requirements", sa.String(length=1000), nullable=False),
        sa.Column("tags", sa.Integer(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column(
            "employer_id",
            sa.Integer(),
            sa.ForeignKey("employers.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=400), nullable=False),
        sa.Column("search_text", sa.String(length=1400), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("review_note", sa.String(length=300), nullable=False),
        sa.Column("reviewed_by", sa.BigInteger(), nullable=True),
        sa.Column("contact_views", sa.Integer(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_job_postings_owner_id", "job_postings", ["owner_id"])
    op.create_index(
        "ix_job_postings_status_published", "job_postings", ["status", "published_at"]
    )
    op.create_index("ix_job_postings_dedupe", "job_postings", ["dedupe_key", "status"])
    op.create_table(
        "job_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "posting_id",
            sa.Integer(),
            sa.ForeignKey("job_postings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("reporter_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("posting_id", "reporter_id"),
    )
    op.create_index("ix_job_reports_posting_id", "job_reports", ["posting_id"])
    op.create_index("ix_job_reports_reporter_id", "job_reports", ["reporter_id"])
    op.create_table(
        "job_contact_views",
        sa.Column(
            "posting_id",
            sa.Integer(),
            sa.ForeignKey("job_postings.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_job_contact_views_user_id", "job_contact_views", ["user_id"])
    op.create_table(
        "job_seekers",
        sa.Column(
            "user_id",
            sa.BigInteger(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("districts", sa.JSON(), nullable=False),
        sa.Column("industries", sa.JSON(), nullable=False),
        sa.Column("types", sa.JSON(), nullable=False),
        sa.Column("metro_lines", sa.JSON(), nullable=False),
        sa.Column("tags", sa.Integer(), nullable=False),
        sa.Column("min_pay", sa.Float(), nullable=True),
        sa.Column("min_pay_unit", sa.String(length=8), nullable=True),
        sa.Column("alerts", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "job_alerts",
        sa.Column(
            "user_id",
            sa.BigInteger(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column(
            "posting_id",
            sa.Integer(),
            sa.ForeignKey("job_postings.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_job_alerts_sent_at", "job_alerts", ["sent_at"])
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("text", sa.String(length=4096), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_broadcasts_status", "broadcasts", ["status"])
    op.create_table(
        "broadcast_recipients",
        sa.Column(
            "broadcast_id",
            sa.Integer(),
            sa.ForeignKey("broadcasts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
    )
    op.create_index(
        "ix_broadcast_recipients_state", "broadcast_recipients", ["broadcast_id", "status"]
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), primary_key=True),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "leases",
        "broadcast_recipients",
        "broadcasts",
        "job_alerts",
        "job_seekers",
        "job_contact_views",
        "job_reports",
        "job_postings",
        "employers",
    ):
        op.drop_table(table)
