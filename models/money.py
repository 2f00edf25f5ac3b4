"""Money is stored as an integer count of minor units (kopiyky, cents) plus a currency.

Integer minor units sum exactly on every database (SQLite has no exact decimal type),
and every currency we accept has two decimal places.
"""

from decimal import Decimal
from enum import StrEnum

MINOR_UNITS_PER_MAJOR = 100


class Currency(StrEnum):
    UAH = "UAH"
    EUR = "EUR"
    USD = "USD"
    PLN = "PLN"
    GBP = "GBP"


def to_minor_units(amount: Decimal) -> int:
    """Convert an amount with at most two decimal places to minor units."""
    return int(amount * MINOR_UNITS_PER_MAJOR)


def from_minor_units(minor_units: int) -> Decimal:
    """Convert minor units back to an exact two-decimal amount."""
    return (Decimal(minor_units) / MINOR_UNITS_PER_MAJOR).quantize(Decimal("0.01"))
