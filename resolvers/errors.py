"""Domain errors raised by resolvers and turned into typed GraphQL results by the schema.

Validation problems, missing objects, permission failures and conflicts are all part of a
mutation's *result*, never a 500: the schema layer catches these and returns the matching
error type of the mutation's result union.
"""

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    TOO_SHORT = "TOO_SHORT"
    TOO_LONG = "TOO_LONG"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    INVALID = "INVALID"
    INVALID_ID = "INVALID_ID"
    WRONG_ID_TYPE = "WRONG_ID_TYPE"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INVALID_EMAIL = "INVALID_EMAIL"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_STATUS_TRANSITION = "INVALID_STATUS_TRANSITION"
    DIFFERENT_COMMUNITY = "DIFFERENT_COMMUNITY"
    NOT_FOUND = "NOT_FOUND"
    AUTHENTICATION_REQUIRED = "AUTHENTICATION_REQUIRED"
    NOT_A_MEMBER = "NOT_A_MEMBER"
    ADMIN_REQUIRED = "ADMIN_REQUIRED"
    WRONG_SECTOR = "WRONG_SECTOR"
    NOT_OWNER = "NOT_OWNER"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    ALREADY_VOTED = "ALREADY_VOTED"
    ALREADY_WITHDRAWN = "ALREADY_WITHDRAWN"
    NOT_ACCEPTING_SUPPORT = "NOT_ACCEPTING_SUPPORT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    EVENT_NOT_LIVE = "EVENT_NOT_LIVE"
    EVENT_CLOSED = "EVENT_CLOSED"
    NOT_PITCHED = "NOT_PITCHED"
    NO_NEXT_PITCH = "NO_NEXT_PITCH"
    SUPPORT_LIMIT_REACHED = "SUPPORT_LIMIT_REACHED"
    NOT_AN_ATTENDEE = "NOT_AN_ATTENDEE"
    DUPLICATE_OF_ITSELF = "DUPLICATE_OF_ITSELF"
    ALREADY_DUPLICATE = "ALREADY_DUPLICATE"
    ORIGINAL_IS_DUPLICATE = "ORIGINAL_IS_DUPLICATE"
    DUPLICATE_LOOP = "DUPLICATE_LOOP"
    ORIGINAL_RESOLVED = "ORIGINAL_RESOLVED"
    CROSSES_ANTIMERIDIAN = "CROSSES_ANTIMERIDIAN"
    INVERTED_BOUNDS = "INVERTED_BOUNDS"
    AREA_TOO_LARGE = "AREA_TOO_LARGE"
    THROTTLED = "THROTTLED"
    PERSON_REQUIRED = "PERSON_REQUIRED"
    SCOPE_REQUIRED = "SCOPE_REQUIRED"
    NOT_COMMUNITY_AUTHORITY = "NOT_COMMUNITY_AUTHORITY"
    CODE_REQUIRED = "CODE_REQUIRED"
    CODE_USED = "CODE_USED"
    SIGN_IN_REQUIRED = "SIGN_IN_REQUIRED"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    POOL_CLOSED = "POOL_CLOSED"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input field."""

    message: str
    field: str | None
    code: ErrorCode


class DomainError(Exception):
    """Base of the errors a mutation reports as data."""

    def __init__(self, message: str, *, field: str | None = None, code: ErrorCode) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class ValidationFailed(DomainError):
    """The input is malformed: carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("ValidationFailed needs at least one problem")
        first = problems[0]
        super().__init__(first.message, field=first.field, code=first.code)
        self.problems = problems


class NotFound(DomainError):
    """An ID names nothing (or nothing the viewer may see)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, code=ErrorCode.NOT_FOUND)


class PermissionDenied(DomainError):
    """The viewer may not do this (not signed in, not a member, not the owner)."""


class Conflict(DomainError):
    """The request clashes with the current state (already voted, wrong status...)."""


class Throttled(DomainError):
    """Too many attempts or too much cost in too little time: try again after a while."""

    def __init__(
        self, message: str, *, retry_after: int, limit: str, field: str | None = None
    ) -> None:
        super().__init__(message, field=field, code=ErrorCode.THROTTLED)
        self.retry_after = retry_after
        self.limit = limit  # which limit: login, join, register...
