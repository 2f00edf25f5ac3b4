"""Each distinct document is parsed and validated once per process; its errors still come back."""

import uuid

from schema.checked_documents import DocumentCache, documents
from tests.factories import graphql


def cached(query: str) -> int:
    """How many validation results the cache holds for the document of ``query``."""
    for (text, _), entry in documents._entries.items():
        if text == query:
            return len(entry.validation)
    return 0


async def test_a_document_sent_three_times_is_parsed_and_validated_once(client):
    # given a document this process has never seen (a unique alias)
    query = f"{{ v{uuid.uuid4().hex}: viewer {{ id }} }}"
    before = documents.entries
    # when it is sent three times
    answers = [await graphql(client, query) for _ in range(3)]
    # then all three are answered, from one cache entry holding one validation
    assert all(answer.get("errors") is None for answer in answers)
    assert documents.entries == before + 1
    assert cached(query) == 1


async def test_an_invalid_document_sent_twice_gets_its_errors_both_times(client):
    # given a document with an unknown field
    query = f"{{ v{uuid.uuid4().hex}: viewer {{ nope }} }}"
    # when it is sent twice
    first, second = await graphql(client, query), await graphql(client, query)
    # then both answers carry the validation error (the second from the cache)
    assert first["errors"] == second["errors"]
    assert first["data"] is None
    assert [error["message"] for error in first["errors"]] == [
        "Cannot query field 'nope' on type 'Person'."
    ]


async def test_a_syntax_error_is_reported_and_not_cached(client):
    # given a document that does not parse
    query = "{ viewer { id }"
    entries = documents.entries
    # when it is sent
    answer = await graphql(client, query)
    # then the client gets the syntax error, and nothing was cached for it
    assert answer["data"] is None
    assert answer["errors"][0]["message"].startswith("Syntax Error")
    assert documents.entries == entries


def test_the_cache_is_bounded_in_bytes_not_entries():
    # given a cache of 1 MB (documents take 64 bytes per character)
    cache = DocumentCache(1_000_000)
    small = [f"{{ a{n}: viewer {{ id }} }}" for n in range(100)]
    large = "{ " + "x" * 10_000 + " }"
    # when 100 small documents go in, then three large ones (640 kB each)
    from schema.checked_documents import DEFAULT_LIMITS, CheckedDocument, check_document

    for text in small:
        cache.put(text, DEFAULT_LIMITS, check_document(text, DEFAULT_LIMITS))
    for n in range(3):
        entry = CheckedDocument(check_document(small[0], DEFAULT_LIMITS).document, [])
        cache.put(large + str(n), DEFAULT_LIMITS, entry)
    # then what it holds never exceeds its bytes: the small ones were evicted first
    assert cache.bytes <= 1_000_000
    assert cache.get(large + "2", DEFAULT_LIMITS) is not None
    assert cache.get(small[0], DEFAULT_LIMITS) is None
    # and a document larger than the whole cache is not kept at all
    cache.put("{ " + "y" * 20_000 + " }", DEFAULT_LIMITS, entry)
    assert cache.bytes <= 1_000_000
