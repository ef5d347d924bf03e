"""sample results and findings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sample_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("purity_band", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.String(length=1000), nullable=True),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_sample_results_proposed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_sample_results_reviewed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"], ["samples.id"], name=op.f("fk_sample_results_sample_id_samples")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_results")),
        sa.UniqueConstraint("sample_id", name=op.f("uq_sample_results_sample_id")),
    )
    with op.batch_alter_table("sample_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sample_results_category"), ["category"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sample_results_reviewed_at"), ["reviewed_at"], unique=False
        )

    op.create_table(
        "result_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("substance", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("confidence", sa.String(length=10), nullable=False),
        sa.Column("amount_mg", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["sample_results.id"],
            name=op.f("fk_result_findings_result_id_sample_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_findings")),
    )
    with op.batch_alter_table("result_findings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_result_findings_substance"), ["substance"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("result_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_result_findings_substance"))

    op.drop_table("result_findings")
    with op.batch_alter_table("sample_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sample_results_reviewed_at"))
        batch_op.drop_index(batch_op.f("ix_sample_results_category"))

    op.drop_table("sample_results")
