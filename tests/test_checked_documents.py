"""Each distinct document is parsed and validated once per process; its errors still come back."""

import uuid

from schema.checked_documents import _parsed, _problems
from tests.factories import graphql


def validations() -> tuple[int, int]:
    info = _problems.cache_info()
    return info.misses, info.hits


async def test_a_document_sent_three_times_is_validated_once(client):
    # given a document this process has never seen (a unique alias)
    query = f"{{ v{uuid.uuid4().hex}: viewer {{ id }} }}"
    misses, hits = validations()
    # when it is sent three times
    answers = [await graphql(client, query) for _ in range(3)]
    # then all three are answered, and only the first one was validated
    assert all(answer.get("errors") is None for answer in answers)
    assert validations() == (misses + 1, hits + 2)


async def test_an_invalid_document_sent_twice_gets_its_errors_both_times(client):
    # given a document with an unknown field
    query = f"{{ v{uuid.uuid4().hex}: viewer {{ nope }} }}"
    # when it is sent twice
    first, second = await graphql(client, query), await graphql(client, query)
    # then both answers carry the validation error (the second from the cache)
    assert first == second
    assert first["data"] is None
    assert [error["message"] for error in first["errors"]] == [
        "Cannot query field 'nope' on type 'Person'."
    ]


async def test_a_syntax_error_is_reported_and_not_cached(client):
    # given a document that does not parse
    query = "{ viewer { id }"
    size = _parsed.cache_info().currsize
    # when it is sent
    answer = await graphql(client, query)
    # then the client gets the syntax error, and nothing was cached for it
    assert answer["data"] is None
    assert answer["errors"][0]["message"].startswith("Syntax Error")
    assert _parsed.cache_info().currsize == size
