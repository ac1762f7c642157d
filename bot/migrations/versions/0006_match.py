"""match: member roster and verification, matchmaking profiles, decisions, socials

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

from bot.core.models import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _user_fk() -> sa.ForeignKey:
    return sa.ForeignKey("users.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "member_roster",
        sa.Column("card_hash", sa.String(length=64), primary_key=True),
        sa.Column("batch", sa.String(length=64), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "member_verifications",
        sa.Column("user_id", sa.BigInteger(), _user_fk(), primary_key=True, autoincrement=False),
        sa.Column("card_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("verified_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "member_verify_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_member_verify_attempts_user_id", "member_verify_attempts", ["user_id"])
    op.create_table(
        "match_profiles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.BigInteger(), _user_fk(), nullable=False, unique=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        sa.Column("city", sa.String(length=32), nullable=False),
        sa.Column("district", sa.String(length=32), nullable=False),
        sa.Column("education", sa.String(length=16), nullable=False),
        sa.Column("occupation", sa.String(length=40), nullable=False),
        sa.Column("height_cm", sa.Integer(), nullable=True),
        sa.Column("intro", sa.String(length=300), nullable=False),
        sa.Column("want_gender", sa.String(length=1), nullable=False),
        sa.Column("want_age_min", sa.Integer(), nullable=False),
        sa.Column("want_age_max", sa.Integer(), nullable=False),
        sa.Column("want_districts", sa.String(length=400), nullable=False),
        sa.Column("want_other", sa.String(length=200), nullable=False),
        sa.Column("interests", sa.BigInteger(), nullable=False),
        sa.Column("photo_file_id", sa.String(length=256), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("consent_at", UTCDateTime(), nullable=False),
        sa.Column("consent_version", sa.String(length=16), nullable=False),
        sa.Column("review_note", sa.String(length=300), nullable=False),
        sa.Column("reviewed_by", sa.BigInteger(), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.Column("tg_username", sa.String(length=64), nullable=False),
        sa.Column("tg_name", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_match_profiles_pool",
        "match_profiles",
        ["status", "visibility", "gender", "birth_year"],
    )
    op.create_table(
        "match_decisions",
        sa.Column("user_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("target_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_match_decisions_target", "match_decisions", ["target_id", "decision"])
    op.create_table(
        "match_suggestions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "target_id"),
    )
    op.create_index("ix_match_suggestions_user_day", "match_suggestions", ["user_id", "day"])
    op.create_index("ix_match_suggestions_target_id", "match_suggestions", ["target_id"])
    op.create_table(
        "match_pairs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("a_id", sa.BigInteger(), nullable=False),
        sa.Column("b_id", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("a_id", "b_id"),
    )
    op.create_index("ix_match_pairs_a_id", "match_pairs", ["a_id"])
    op.create_index("ix_match_pairs_b_id", "match_pairs", ["b_id"])
    op.create_table(
        "match_intros",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("proposer_id", sa.BigInteger(), nullable=False),
        sa.Column("a_id", sa.BigInteger(), nullable=False),
        sa.Column("b_id", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("a_answer", sa.Boolean(), nullable=True),
        sa.Column("b_answer", sa.Boolean(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_match_intros_a_id", "match_intros", ["a_id"])
    op.create_index("ix_match_intros_b_id", "match_intros", ["b_id"])
    op.create_table(
        "match_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reporter_id", sa.BigInteger(), nullable=True),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("resolved_by", sa.BigInteger(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=False),
    )
    op.create_index("ix_match_reports_reporter_id", "match_reports", ["reporter_id"])
    op.create_index("ix_match_reports_target_id", "match_reports", ["target_id"])
    op.create_table(
        "match_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("balanced", sa.Boolean(), nullable=False),
        sa.Column("signup_until", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("reminded_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_match_events_starts_at", "match_events", ["starts_at"])
    op.create_table(
        "match_signups",
        sa.Column(
            "event_id",
            sa.Integer(),
            sa.ForeignKey("match_events.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("user_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_match_signups_event_status", "match_signups", ["event_id", "status", "at"])


def downgrade() -> None:
    for table in (
        "match_signups",
        "match_events",
        "match_reports",
        "match_intros",
        "match_pairs",
        "match_suggestions",
        "match_decisions",
        "match_profiles",
        "member_verify_attempts",
        "member_verifications",
        "member_roster",
    ):
        op.drop_table(table)
