"""plates, lanes, photos and accepted analyses

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

One current photo per plate and visualisation: a partial unique index (SQLite and PostgreSQL both
support ``WHERE`` on an index), so re-photographs keep their history as non-current rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = ("plates",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("system", sa.String(length=20), nullable=False),
        sa.Column("plate_type", sa.String(length=60), nullable=False),
        sa.Column("lot", sa.String(length=40), nullable=True),
        sa.Column("development_distance_mm", sa.Float(), nullable=False),
        sa.Column("developed_on", sa.Date(), nullable=False),
        sa.Column("visualisations", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_plates_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plates")),
    )
    with op.batch_alter_table("plates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plates_developed_on"), ["developed_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_plates_system"), ["system"], unique=False)

    op.create_table(
        "plate_lanes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plate_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=True),
        sa.Column("reference_substance", sa.String(length=80), nullable=True),
        sa.Column("amount_ug", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "(sample_id IS NULL) <> (reference_substance IS NULL)",
            name=op.f("ck_plate_lanes_sample_or_reference"),
        ),
        sa.ForeignKeyConstraint(
            ["plate_id"],
            ["plates.id"],
            name=op.f("fk_plate_lanes_plate_id_plates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"], ["samples.id"], name=op.f("fk_plate_lanes_sample_id_samples")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plate_lanes")),
        sa.UniqueConstraint("plate_id", "index", name="uq_plate_lanes_plate_id_index"),
    )
    with op.batch_alter_table("plate_lanes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plate_lanes_sample_id"), ["sample_id"], unique=False)

    op.create_table(
        "plate_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plate_id", sa.Integer(), nullable=False),
        sa.Column("visualisation", sa.String(length=40), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plate_id"],
            ["plates.id"],
            name=op.f("fk_plate_photos_plate_id_plates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_plate_photos_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plate_photos")),
    )
    with op.batch_alter_table("plate_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plate_photos_plate_id"), ["plate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plate_photos_sha256"), ["sha256"], unique=False)
        batch_op.create_index(
            "uq_plate_photos_current",
            ["plate_id", "visualisation"],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )

    op.create_table(
        "plate_analyses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("algorithm_version", sa.String(length=40), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("accepted_by_id", sa.Integer(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"], ["users.id"], name=op.f("fk_plate_analyses_accepted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["plate_photos.id"], name=op.f("fk_plate_analyses_photo_id_plate_photos")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plate_analyses")),
    )
    with op.batch_alter_table("plate_analyses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plate_analyses_photo_id"), ["photo_id"], unique=False)


def downgrade() -> None:
    op.drop_table("plate_analyses")
    op.drop_table("plate_photos")
    op.drop_table("plate_lanes")
    op.drop_table("plates")
