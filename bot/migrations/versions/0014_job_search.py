"""jobs: an index on when postings were last written, for search to catch up on every replica

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_job_postings_updated", "job_postings", ["updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_job_postings_updated", table_name="job_postings")
