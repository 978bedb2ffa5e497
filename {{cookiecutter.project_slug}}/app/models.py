"""Database models."""

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


def utc_now():
    return datetime.now(UTC)


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    payments: Mapped[list["Payment"]] = relationship(back_populates="user")

    def __repr__(self):
        return f"<User {self.id} {self.email!r}>"


class Payment(db.Model):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Amount in the currency's minor unit (cents), so sums stay exact.
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    # Set when the receipt job claims the payment, before the mail is sent, so that a second
    # run of the job sends nothing. Cleared again when sending fails.
    receipt_sent_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(back_populates="payments")

    @property
    def amount(self):
        """Amount as a decimal string in major units, for display."""
        return f"{self.amount_cents // 100}.{self.amount_cents % 100:02d}"

    def __repr__(self):
        return f"<Payment {self.id} {self.amount} {self.currency}>"
