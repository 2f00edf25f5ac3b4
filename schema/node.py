"""Relay plumbing: the Node interface and generic connections."""

from typing import Any, Generic, TypeVar

import strawberry

from resolvers.pagination import Page

NodeT = TypeVar("NodeT")


@strawberry.interface(description="An object with a globally unique, opaque ID.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global ID, usable with `node(id:)`.")


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")


@strawberry.type(description="An item of a page and its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Pass as `after`/`before` to page from here.")
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, Relay style.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="Items with their cursors.")
    nodes: list[NodeT] = strawberry.field(description="The items alone.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    total_count: int = strawberry.field(description="Number of items in the whole list.")


ConnectionT = TypeVar("ConnectionT", bound=Connection[Any])


def build_connection(
    connection_class: type[ConnectionT], page: Page[Any], nodes: list[Any]
) -> ConnectionT:
    """Wrap converted ``nodes`` (one per row of ``page``) in a connection."""
    edges = [Edge(cursor=page.cursor_at(index), node=node) for index, node in enumerate(nodes)]
    return connection_class(
        edges=edges,
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total_count,
    )
