"""legal: cases by when they were opened, for the statistics and the dashboard of a period

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_legal_cases_created_at", "legal_cases", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_legal_cases_created_at", table_name="legal_cases")
