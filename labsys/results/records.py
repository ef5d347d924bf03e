"""Tables kept around a result: confirmations from an external lab, and conversations held.

A conversation record says that the result was talked through, by whom, when, in which language,
and what was offered and accepted, chosen from the counselling knowledge base's fixed referral
list. It never holds free text about the person: there is no column where a name could go.
Referrals are rows (not a JSON list) so monitoring counts "naloxone accepted" with plain queries.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labsys.db import Base, UTCDateTime, utcnow


class Confirmation(Base):
    """A sample sent to an external lab (GC-MS) and, once it comes back, what that lab found."""

    __tablename__ = "confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id"), index=True)
    external_lab: Mapped[str] = mapped_column(String(120))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    reference: Mapped[str | None] = mapped_column(String(80), nullable=True)
    """The external lab's report number, to find its report again."""
    findings: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    """Substances the external lab reported (library names where the library knows them)."""
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Conversation(Base):
    """The conversation held when a result was given (one per sample)."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id"), unique=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    language: Mapped[str] = mapped_column(String(2))
    prompt_keys: Mapped[list[str]] = mapped_column(JSON)
    """The knowledge entries the counsellor had on screen (``adulterants/levamisole`` …)."""

    referrals: Mapped[list[ConversationReferral]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        order_by="ConversationReferral.id",
    )


class ConversationReferral(Base):
    """One thing offered in a conversation, and whether the person accepted it."""

    __tablename__ = "conversation_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    referral: Mapped[str] = mapped_column(String(30), index=True)
    accepted: Mapped[bool] = mapped_column(Boolean)

    conversation: Mapped[Conversation] = relationship(back_populates="referrals")
