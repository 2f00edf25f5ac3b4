"""Input checks that collect every problem before failing, so forms can show them all."""

import json
import re
from decimal import Decimal, InvalidOperation

from resolvers.errors import ErrorCode, Problem, ValidationFailed

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_AMOUNT = Decimal("1000000000000")  # 10^12 major units: far above any local budget


def holds_lone_surrogate(value: object) -> bool:
    """Whether a decoded JSON value holds a lone surrogate (``"\\ud800"``): valid JSON, yet
    no Unicode text, which no database driver can encode."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class Checker:
    """Accumulates problems, then raises them all at once with :meth:`raise_if_any`."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field: str, code: ErrorCode, message: str) -> None:
        self.problems.append(Problem(message=message, field=field, code=code))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ValidationFailed(self.problems)

    def text(self, field: str, value: str, *, min_length: int = 1, max_length: int) -> str:
        """Strip and check a text's length; returns the stripped text."""
        stripped = value.strip()
        if not stripped and min_length > 0:
            self.add(field, ErrorCode.REQUIRED, f"{field} must not be empty.")
        elif len(stripped) < min_length:
            self.add(field, ErrorCode.TOO_SHORT, f"{field} needs at least {min_length} characters.")
        elif len(stripped) > max_length:
            self.add(field, ErrorCode.TOO_LONG, f"{field} allows at most {max_length} characters.")
        return stripped

    def number_range(self, field: str, value: float, *, minimum: float, maximum: float) -> float:
        if value != value or not minimum <= value <= maximum:  # value != value catches NaN
            self.add(
                field, ErrorCode.OUT_OF_RANGE, f"{field} must be between {minimum} and {maximum}."
            )
        return value

    def email(self, field: str, value: str) -> str:
        normalized = value.strip().lower()
        if len(normalized) > 254 or not EMAIL_PATTERN.match(normalized):
            self.add(field, ErrorCode.INVALID_EMAIL, "Enter a valid email address.")
        return normalized

    def positive_decimal(
        self, field: str, value: str, *, max_places: int = 2, maximum: Decimal = MAX_AMOUNT
    ) -> Decimal | None:
        """Parse a positive decimal written as a string ("1500.50"); None when invalid."""
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            self.add(field, ErrorCode.INVALID_AMOUNT, f"{field} must be a decimal number.")
            return None
        if not amount.is_finite():
            self.add(field, ErrorCode.INVALID_AMOUNT, f"{field} must be a finite number.")
            return None
        if amount <= 0:
            self.add(field, ErrorCode.INVALID_AMOUNT, f"{field} must be greater than zero.")
            return None
        if amount > maximum:
            self.add(field, ErrorCode.OUT_OF_RANGE, f"{field} must not exceed {maximum}.")
            return None
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > max_places:
            self.add(
                field, ErrorCode.INVALID_AMOUNT, f"{field} allows at most {max_places} decimals."
            )
            return None
        return amount

    def non_negative_decimal(self, field: str, value: str) -> Decimal | None:
        """Like :meth:`positive_decimal` but zero is allowed."""
        try:
            is_zero = Decimal(value.strip()) == 0
        except InvalidOperation:
            is_zero = False
        return Decimal("0") if is_zero else self.positive_decimal(field, value)
