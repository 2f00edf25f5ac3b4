"""Typed errors returned inside results, and turning domain errors into them in one place."""

from collections.abc import Awaitable
from typing import TypeVar

import strawberry

import schema.metrics as metrics
from resolvers.errors import (
    Conflict,
    DomainError,
    ErrorCode,
    NotFound,
    PermissionDenied,
    Throttled,
)
from resolvers.errors import ValidationFailed as ValidationFailedError

ErrorCodeEnum = strawberry.enum(
    ErrorCode, name="ErrorCode", description="Machine-readable reason of an error."
)


@strawberry.type(description="One problem with one input field.")
class FieldProblem:
    message: str = strawberry.field(description="Human-readable explanation.")
    field: str | None = strawberry.field(description="Input field at fault, if any.")
    code: ErrorCode = strawberry.field(description="Machine-readable reason.")


@strawberry.interface(description="Something that prevented a mutation from taking effect.")
class Error:
    message: str = strawberry.field(description="Human-readable explanation.")
    field: str | None = strawberry.field(description="Input field at fault, if any.")
    code: ErrorCode = strawberry.field(description="Machine-readable reason.")


@strawberry.type(description="The input is invalid; `problems` lists every problem found.")
class ValidationError(Error):
    problems: list[FieldProblem] = strawberry.field(description="All problems found.")


@strawberry.type(description="An ID in the input names nothing.")
class NotFoundError(Error):
    pass


@strawberry.type(description="The viewer may not do this (not signed in, not a member...).")
class PermissionDeniedError(Error):
    pass


@strawberry.type(description="The request clashes with the current state.")
class ConflictError(Error):
    pass


@strawberry.type(description="Too many attempts or too much in too little time: try again later.")
class ThrottledError(Error):
    retry_after_seconds: int = strawberry.field(description="Seconds to wait before trying again.")


AnyError = ValidationError | NotFoundError | PermissionDeniedError | ConflictError | ThrottledError


def error_result(error: DomainError) -> AnyError:
    """The GraphQL error type of a domain error."""
    if isinstance(error, ValidationFailedError):
        problems = [
            FieldProblem(message=p.message, field=p.field, code=p.code) for p in error.problems
        ]
        return ValidationError(
            message=error.message, field=error.field, code=error.code, problems=problems
        )
    if isinstance(error, NotFound):
        return NotFoundError(message=error.message, field=error.field, code=error.code)
    if isinstance(error, PermissionDenied):
        return PermissionDeniedError(message=error.message, field=error.field, code=error.code)
    if isinstance(error, Conflict):
        return ConflictError(message=error.message, field=error.field, code=error.code)
    if isinstance(error, Throttled):
        metrics.THROTTLED.labels(bucket=error.limit).inc()
        return ThrottledError(
            message=error.message,
            field=error.field,
            code=error.code,
            retry_after_seconds=error.retry_after,
        )
    raise TypeError(f"unknown domain error {type(error).__name__}")


ResultT = TypeVar("ResultT")


async def as_result(action: Awaitable[ResultT]) -> ResultT | AnyError:
    """Await a mutation's resolver; a DomainError it raises becomes the matching error type."""
    try:
        return await action
    except DomainError as error:
        return error_result(error)


async def as_query_result(action: Awaitable[ResultT]) -> ResultT | ValidationError | NotFoundError:
    """Await a query's resolver; invalid input and unknown IDs become typed results (a read
    can be asked wrongly or name nothing, no more)."""
    try:
        return await action
    except (ValidationFailedError, NotFound) as error:
        result = error_result(error)
        if isinstance(result, ValidationError | NotFoundError):
            return result
        raise  # unreachable: error_result maps these two to these two types
