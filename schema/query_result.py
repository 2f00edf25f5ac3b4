"""Result unions of read-only queries: their input can be invalid or name nothing, no more."""

from collections.abc import Awaitable
from typing import TypeVar

from resolvers.errors import NotFound, ValidationFailed
from schema.errors import NotFoundError, ValidationError, error_result

ResultT = TypeVar("ResultT")


async def as_query_result(action: Awaitable[ResultT]) -> ResultT | ValidationError | NotFoundError:
    """Await a query resolver; invalid input and unknown IDs become typed results."""
    try:
        return await action
    except (ValidationFailed, NotFound) as error:
        result = error_result(error)
        if isinstance(result, ValidationError | NotFoundError):
            return result
        raise  # unreachable: error_result maps these two to these two types
