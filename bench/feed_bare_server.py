"""The lower bound of the feed query: a graphql-core schema and asyncpg SQL written by hand.

    DATABASE_URL=postgres://... .venv/bin/python -m bench.feed_bare_server --port 8001

The same query shape as the hub's ``issues`` feed (``bench/feed_query.py``: issues with
their projects, leads and support totals) as a graphql-core schema built from
``GraphQLObjectType`` & co., no strawberry. Each distinct document is parsed and
validated once (the hub's CheckedDocuments extension does the same); the root resolver
answers the whole page with three hand-written SQL statements whatever its size (issues
with their tags and the total, projects joined with their leads, support sums by
grouping sets) and the other fields read the resulting dicts. An asyncpg pool as large as
the hub's (tortoise's default, 5), a bare Starlette route taking POST JSON
``{query, variables}``, the JSON encoded as strawberry encodes it, served by uvicorn with
``si-hub serve``'s settings for HTTP. It only knows this one query: a measuring stick,
not a server.
"""

import argparse
import base64
import inspect
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from enum import StrEnum
from functools import lru_cache
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import uvicorn
from graphql import (
    DocumentNode,
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLID,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLNullableOutputType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    execute,
    parse,
    validate,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models import AffectedGroup, Currency, IssueStatus, Sector

POOL_SIZE = 5  # tortoise's default asyncpg pool (maxsize), which the hub runs with

ISSUES_SQL = """
SELECT i.id, i.title, i.status,
       (SELECT count(*) FROM issue WHERE community_id = $1) AS total,
       ARRAY(SELECT goal FROM issue_sdg_goal WHERE issue_id = i.id ORDER BY goal) AS goals,
       ARRAY(SELECT "group" FROM issue_affected_group WHERE issue_id = i.id ORDER BY "group")
           AS groups
FROM issue i WHERE i.community_id = $1 ORDER BY i.created_at DESC, i.id DESC LIMIT $2
"""
PROJECTS_SQL = """
SELECT pi.issue_id, p.id, p.title, a.kind, a.display_name, a.sector
FROM project_issue pi JOIN project p ON p.id = pi.project_id JOIN actor a ON a.id = p.lead_id
WHERE pi.issue_id = ANY($1::int[]) AND p.status <> 'DRAFT' ORDER BY pi.issue_id, p.id
"""
# One row per (project, kind, currency) and one per project (kind NULL: distinct backers).
SUPPORT_SQL = """
SELECT project_id, kind, currency, count(*) AS pledges, sum(amount_minor)::bigint AS amount,
       sum(hours_hundredths)::bigint AS hours, count(DISTINCT backer_id) AS backers
FROM pledge WHERE project_id = ANY($1::int[]) AND status <> 'WITHDRAWN'
GROUP BY GROUPING SETS ((project_id, kind, currency), (project_id))
"""
PROJECTS_PER_ISSUE = 20  # the hub's default page of a connection


def global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def decimal_text(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def support_of(rows: list[Any]) -> dict[int, dict[str, Any]]:
    support: dict[int, dict[str, Any]] = {}
    for row in rows:
        totals = support.setdefault(
            row["project_id"], {"votes": 0, "backers": 0, "hours": 0, "money": []}
        )
        if row["kind"] is None:
            totals["backers"] = row["backers"]
        elif row["kind"] == "VOTE":
            totals["votes"] += row["pledges"]
        elif row["kind"] == "TIME":
            totals["hours"] += row["hours"] or 0
        elif row["kind"] == "MONEY" and row["currency"]:
            totals["money"].append((row["currency"], row["amount"] or 0))
    for totals in support.values():
        totals["hours"] = decimal_text(totals["hours"])
        totals["money"] = [
            {"amount": decimal_text(amount), "currency": currency}
            for currency, amount in sorted(totals["money"])
        ]
    return support


def project_node(row: Any, support: dict[str, Any] | None) -> dict[str, Any]:
    organization = row["kind"] == "ORGANIZATION"
    typename = "Organization" if organization else "Person"
    lead = {"__typename": typename, "displayName": row["display_name"], "sector": row["sector"]}
    empty = {"votes": 0, "backers": 0, "hours": "0.00", "money": []}
    return {
        "id": global_id("Project", row["id"]),
        "title": row["title"],
        "lead": lead,
        "support": support or empty,
    }


async def feed_page(pool: Any, community: int, first: int) -> dict[str, Any]:
    """The whole answer in three statements, whatever the page size."""
    async with pool.acquire() as connection:
        issues = await connection.fetch(ISSUES_SQL, community, first)
        ids = [row["id"] for row in issues]
        projects = await connection.fetch(PROJECTS_SQL, ids)
        support = support_of(await connection.fetch(SUPPORT_SQL, [p["id"] for p in projects]))
    by_issue: dict[int, list[dict[str, Any]]] = {issue_id: [] for issue_id in ids}
    for row in projects:
        if len(by_issue[row["issue_id"]]) < PROJECTS_PER_ISSUE:
            by_issue[row["issue_id"]].append(project_node(row, support.get(row["id"])))
    total = issues[0]["total"] if issues else 0
    nodes = [
        {
            "id": global_id("Issue", row["id"]),
            "title": row["title"],
            "status": row["status"],
            "sdgGoals": row["goals"],
            "affectedGroups": row["groups"],
            "projects": {"nodes": by_issue[row["id"]]},
        }
        for row in issues
    ]
    cursor = f"cursor:{len(nodes) - 1}".encode()
    page_info = {
        "hasNextPage": total > len(nodes),
        "endCursor": base64.urlsafe_b64encode(cursor).decode() if nodes else None,
    }
    return {"totalCount": total, "pageInfo": page_info, "nodes": nodes}


async def resolve_issues(
    _: None, info: GraphQLResolveInfo[Any], filter: dict[str, Any], first: int = 20
) -> dict[str, Any]:
    padded = filter["communityId"] + "=" * (-len(filter["communityId"]) % 4)
    community = int(base64.urlsafe_b64decode(padded).decode().removeprefix("Community:"))
    return await feed_page(info.context, community, first)


def build_bare_schema() -> GraphQLSchema:
    def required(kind: GraphQLNullableOutputType) -> GraphQLField:
        return GraphQLField(GraphQLNonNull(kind))

    def list_of(kind: GraphQLNullableOutputType) -> GraphQLField:
        return GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(kind))))

    def enum(name: str, values: type[StrEnum]) -> GraphQLEnumType:
        return GraphQLEnumType(name, {member.value: member.value for member in values})

    decimal = GraphQLScalarType("Decimal", serialize=str)
    money = GraphQLObjectType(
        "Money", {"amount": required(decimal), "currency": required(enum("Currency", Currency))}
    )
    support = GraphQLObjectType(
        "ProjectSupport",
        {
            "votes": required(GraphQLInt),
            "backers": required(GraphQLInt),
            "hours": required(decimal),
            "money": list_of(money),
        },
    )
    actor = GraphQLInterfaceType(
        "Actor",
        {"displayName": required(GraphQLString)},
        resolve_type=lambda value, *_: value["__typename"],
    )
    person = GraphQLObjectType("Person", {"displayName": required(GraphQLString)}, [actor])
    organization = GraphQLObjectType(
        "Organization",
        {"displayName": required(GraphQLString), "sector": required(enum("Sector", Sector))},
        [actor],
    )
    project = GraphQLObjectType(
        "Project",
        {
            "id": required(GraphQLID),
            "title": required(GraphQLString),
            "lead": required(actor),
            "support": required(support),
        },
    )
    issue = GraphQLObjectType(
        "Issue",
        {
            "id": required(GraphQLID),
            "title": required(GraphQLString),
            "status": required(enum("IssueStatus", IssueStatus)),
            "sdgGoals": list_of(GraphQLInt),
            "affectedGroups": list_of(enum("AffectedGroup", AffectedGroup)),
            "projects": required(
                GraphQLObjectType("ProjectConnection", {"nodes": list_of(project)})
            ),
        },
    )
    page_info = GraphQLObjectType(
        "PageInfo",
        {"hasNextPage": required(GraphQLBoolean), "endCursor": GraphQLField(GraphQLString)},
    )
    connection = GraphQLObjectType(
        "IssueConnection",
        {
            "totalCount": required(GraphQLInt),
            "pageInfo": required(page_info),
            "nodes": list_of(issue),
        },
    )
    issue_filter = GraphQLInputObjectType(
        "IssueFilter", {"communityId": GraphQLInputField(GraphQLNonNull(GraphQLID))}
    )
    issues = GraphQLField(
        GraphQLNonNull(connection),
        args={
            "filter": GraphQLArgument(GraphQLNonNull(issue_filter)),
            "first": GraphQLArgument(GraphQLInt),
        },
        resolve=resolve_issues,
    )
    return GraphQLSchema(
        GraphQLObjectType("Query", {"issues": issues}), types=[person, organization]
    )


BARE_SCHEMA = build_bare_schema()


@lru_cache(maxsize=64)
def validated(query: str) -> DocumentNode | list[GraphQLError]:
    """Parse and validate a document once, as the hub's CheckedDocuments extension does."""
    try:
        document = parse(query)
    except GraphQLError as error:
        return [error]
    return validate(BARE_SCHEMA, document) or document


async def bare_graphql(request: Request) -> Response:
    body = await request.json()
    document = validated(body["query"])
    if isinstance(document, list):
        result: Any = {"errors": [error.formatted for error in document]}
    else:
        executed = execute(BARE_SCHEMA, document, None, request.app.state.pool, body["variables"])
        result = (await executed if inspect.isawaitable(executed) else executed).formatted
    return Response(json.dumps(result, separators=(",", ":")), media_type="application/json")


def bare_app(
    database_url: str, on_connect: Callable[[Any], Awaitable[None]] | None = None
) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with asyncpg.create_pool(
            database_url, min_size=1, max_size=POOL_SIZE, init=on_connect
        ) as pool:
            app.state.pool = pool
            yield

    return Starlette(routes=[Route("/graphql", bare_graphql, methods=["POST"])], lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    arguments = parser.parse_args()
    app = bare_app(os.environ["DATABASE_URL"])
    uvicorn.run(app, host=arguments.host, port=arguments.port, log_level="info")


if __name__ == "__main__":
    main()
