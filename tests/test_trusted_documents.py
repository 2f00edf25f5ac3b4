"""Documents named by hash: the hub's trusted documents, Apollo's persisted queries, GET."""

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from schema.trusted_documents import document_id
from tests.factories import gid, make_community, make_person, token_for
from web.app import create_app
from web.cli import build_parser
from web.settings import Settings

DOCUMENTS = Path(__file__).resolve().parent.parent / "web" / "documents"
COMMUNITY = "query($id: ID!) { community(id: $id) { name } }"


def trusted_id(name: str) -> str:
    return document_id((DOCUMENTS / f"{name}.graphql").read_text())


@pytest.fixture
async def trusted_only(database: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=database, broadcast_url="memory://", trusted_documents_only=True
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        yield client


async def test_a_trusted_document_runs_by_its_id(client):
    # given a community, and the map page's MapClusters document named by its id
    community = await make_community()
    variables = {
        "bbox": {"south": 49, "west": 31, "north": 50, "east": 33},
        "zoom": 10,
        "filter": {"communityId": gid(community)},
    }
    # when it is sent by id alone, over POST and over GET
    posted = await client.post(
        "/graphql", json={"documentId": trusted_id("MapClusters"), "variables": variables}
    )
    got = await client.get(
        "/graphql",
        params={"documentId": trusted_id("MapClusters"), "variables": json.dumps(variables)},
    )
    # then both run it; the anonymous GET may be cached for a while, by anyone
    for response in (posted, got):
        assert response.status_code == 200
        assert response.json()["data"]["issueClusters"]["__typename"] == "IssueClusters"
    assert got.headers["cache-control"] == "public, max-age=30"
    assert "Authorization" in got.headers["vary"]


async def test_a_signed_in_get_is_not_kept_by_shared_caches(client):
    token = await token_for(await make_person())
    response = await client.get(
        "/graphql",
        params={"documentId": trusted_id("MapIssue"), "variables": '{"id": "x"}'},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"


async def test_an_unknown_document_id_is_persisted_query_not_found(client):
    response = await client.post("/graphql", json={"documentId": "sha256:" + "0" * 64})
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_apollo_persisted_queries_register_on_the_second_try(client):
    # given a community and a document this hub has never seen
    community = await make_community()
    digest = hashlib.sha256(COMMUNITY.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    variables = {"id": gid(community)}
    # when a client sends its hash alone, then (told it is unknown) the text with the hash,
    # then the hash alone again
    first = await client.post("/graphql", json={"extensions": extensions, "variables": variables})
    second = await client.post(
        "/graphql", json={"query": COMMUNITY, "extensions": extensions, "variables": variables}
    )
    third = await client.post("/graphql", json={"extensions": extensions, "variables": variables})
    # then the first is PERSISTED_QUERY_NOT_FOUND, the others run
    assert first.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert second.json()["data"] == third.json()["data"] == {"community": {"name": community.name}}


async def test_a_hash_that_is_not_the_texts_is_refused(client):
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    response = await client.post("/graphql", json={"query": COMMUNITY, "extensions": extensions})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"


async def test_only_trusted_documents_run_for_anonymous_callers_when_so_set(trusted_only):
    # given the production setting, a community, and a signed-in person
    community = await make_community()
    token = await token_for(await make_person())
    variables = {"id": gid(community)}
    # when an anonymous caller sends a text, or registers one, and a person sends the text
    text = await trusted_only.post("/graphql", json={"query": COMMUNITY, "variables": variables})
    digest = hashlib.sha256(COMMUNITY.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    registering = await trusted_only.post(
        "/graphql", json={"query": COMMUNITY, "extensions": extensions, "variables": variables}
    )
    signed_in = await trusted_only.post(
        "/graphql",
        json={"query": COMMUNITY, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    trusted = await trusted_only.post(
        "/graphql", json={"documentId": trusted_id("MapIssue"), "variables": {"id": "x"}}
    )
    # then anonymous text is refused (registration too), the person's runs, trusted ids run
    for refused in (text, registering):
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENTS_ONLY"
    assert signed_in.json()["data"] == {"community": {"name": community.name}}
    assert trusted.json()["data"] == {"node": None}


async def test_every_trusted_document_is_valid_and_the_pages_name_them(client):
    # the app refuses to start with an invalid one; each page names its documents' ids
    app_documents = {path.stem for path in DOCUMENTS.glob("*.graphql")}
    assert app_documents == {
        "EventLive",
        "JoinEvent",
        "SupportPitch",
        "MapClusters",
        "MapIssues",
        "MapIssue",
    }


def test_the_command_line_lists_every_trusted_document_by_its_id(capsys):
    # when a partner asks the command line for the pages' document ids
    arguments = build_parser().parse_args(["trusted-documents"])
    # then each page document is listed with the id a request may name it by
    assert arguments.run(arguments) == 0
    listed = dict(
        reversed(line.split("  ")) for line in capsys.readouterr().out.splitlines() if line
    )
    names = sorted(path.stem for path in DOCUMENTS.glob("*.graphql"))
    assert sorted(listed) == names
    assert all(listed[name] == trusted_id(name) for name in names)
