"""Money in the API: an exact decimal amount (as a string) with a currency."""

from decimal import Decimal

import strawberry

from models import Currency
from models.money import from_minor_units

CurrencyEnum = strawberry.enum(Currency, description="ISO 4217 currency code.")


@strawberry.type(description="An exact amount of money.")
class Money:
    amount: Decimal = strawberry.field(description='Exact decimal amount, e.g. "1500.00".')
    currency: Currency = strawberry.field(description="Currency of the amount.")


@strawberry.input(description="An amount of money; the amount is a decimal string.")
class MoneyInput:
    amount: str = strawberry.field(description='Decimal amount as a string, e.g. "1500.50".')
    currency: Currency = strawberry.field(
        default=Currency.UAH, description="Currency, UAH by default."
    )


def money_list(values: list[tuple[Decimal, Currency]]) -> list[Money]:
    return [Money(amount=amount, currency=currency) for amount, currency in values]


def money_of(minor_units: int, currency: str) -> Money:
    """Money from stored minor units (kopiyky, cents) and a currency code."""
    return Money(amount=from_minor_units(minor_units), currency=Currency(currency))
