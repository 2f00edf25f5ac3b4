"""Typed errors returned inside mutation results."""

import strawberry

from resolvers.errors import Conflict, DomainError, ErrorCode, NotFound, PermissionDenied
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


AnyError = ValidationError | NotFoundError | PermissionDeniedError | ConflictError


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
    raise TypeError(f"unknown domain error {type(error).__name__}")
