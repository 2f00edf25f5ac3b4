"""Turning domain errors into result-union members, in one place."""

from collections.abc import Awaitable
from typing import TypeVar

from resolvers.errors import DomainError
from schema.errors import AnyError, error_result

ResultT = TypeVar("ResultT")


async def as_result(action: Awaitable[ResultT]) -> ResultT | AnyError:
    """Await a resolver; a DomainError it raises becomes the matching error type."""
    try:
        return await action
    except DomainError as error:
        return error_result(error)
