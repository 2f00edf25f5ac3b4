"""What an operation may cost, computed before it runs (GitHub's node limit, Shopify's points).

Every field that returns objects costs one point per object it may return: a connection's
``first``/``last`` (20 when omitted, 100 at most) multiplies everything below it, a list
without pagination counts as its known bound (``LIST_BOUNDS``, else ``DEFAULT_LIST_BOUND``),
and scalars are free. Members, memberships, regions and keys have no bound in the data:
they count as ``DEFAULT_LIST_BOUND`` each. A mutation field costs ``MUTATION_COST`` more,
and a request may hold at most ``Limits.mutations`` of them (30 aliased ``login``s were 30
password guesses).

Like ``document_shape``, the walk measures each fragment once per page size it is spread
under, so it is linear in the document; it runs on documents that passed validation.
``actual_cost`` counts the objects an answer really holds.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    is_composite_type,
)

from models import AffectedGroup, Currency, IssueStatus
from resolvers.event import MAX_PITCHES_PER_EVENT
from resolvers.match_pool import MAX_RESTRICTED_PROJECTS
from resolvers.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from resolvers.project import MAX_PARTNERS_PER_PROJECT

MUTATION_COST = 10
DEFAULT_LIST_BOUND = 100
CURRENCIES = len(Currency)  # money is summed per currency
# Lists that are not connections, by "Type.field": how many objects they hold at most (or
# the argument that says so, for nodes(ids:)). Clusters are bounded by the grid (128 cells a
# side), but a map screen holds a few dozen: a cluster query costs two grouped statements
# whatever their number, so it is counted as a screenful.
LIST_BOUNDS: dict[str, int | str] = {
    "Query.nodes": "ids",
    "Query.pitchingEvents": 100,
    "Query.sdgGoals": 17,
    "Query.affectedGroups": len(AffectedGroup),
    "PitchingEvent.pitches": MAX_PITCHES_PER_EVENT,
    "EventLive.projects": MAX_PITCHES_PER_EVENT,
    "Project.partners": MAX_PARTNERS_PER_PROJECT,
    "SimilarIssues.suggestions": 20,
    "IssueClusters.clusters": 200,
    "IssueCluster.topAffectedGroups": 3,
    "CommunityInsights.issuesBySdg": 17,
    "CommunityInsights.issuesByAffectedGroup": len(AffectedGroup),
    "CommunityInsights.issuesByStatus": len(IssueStatus),
    "ProjectSupport.bySector": 4,
    "ProjectSupport.money": CURRENCIES,
    "ProjectSupport.inKindValue": CURRENCIES,
    "SectorSupport.money": CURRENCIES,
    "SdgInsight.moneyPledged": CURRENCIES,
    "ValidationError.problems": 20,
    "ProjectSupport.moneyConfirmed": CURRENCIES,
    "ProjectSupport.moneyFulfilled": CURRENCIES,
    "ProjectSupport.matched": CURRENCIES,
    "MatchPool.sectors": 4,
    "MatchPool.projects": MAX_RESTRICTED_PROJECTS,
    # A pledge is matched by the community's open pools: a handful; so are its shares.
    "PledgeMoveSuccess.matched": 10,
    "PledgeMoveSuccess.released": 10,
    "Match.shares": 10,
}


@dataclass(frozen=True)
class Limits:
    nodes: int  # objects one request may ask for
    mutations: int  # mutation fields in one request


@dataclass(frozen=True)
class Cost:
    requested: int  # points: objects it may return, plus MUTATION_COST per mutation
    nodes: int  # objects it may return
    mutations: int


def _unwrap(type_: GraphQLOutputType) -> tuple[GraphQLNamedType, bool]:
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(type_, GraphQLList)
        type_ = type_.of_type
    return type_, is_list


class _Walk:
    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.measured: dict[tuple[str, int | None], int] = {}

    def _int(self, value: ValueNode | None) -> int | None:
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            given = self.variables.get(value.name.value)
            return given if isinstance(given, int) else None
        return None

    def _page_size(self, node: FieldNode) -> int | None:
        """The page a connection field asks for, or None when it is no connection."""
        arguments = {argument.name.value: argument.value for argument in node.arguments or ()}
        sizes = [self._int(arguments.get(name)) for name in ("first", "last")]
        asked = [size for size in sizes if size is not None]
        size = max(asked) if asked else DEFAULT_PAGE_SIZE
        return max(0, min(size, MAX_PAGE_SIZE))

    def _list_bound(self, parent: str, node: FieldNode) -> int:
        bound = LIST_BOUNDS.get(f"{parent}.{node.name.value}", DEFAULT_LIST_BOUND)
        if isinstance(bound, int):
            return bound
        for argument in node.arguments or ():
            if argument.name.value == bound:
                value = argument.value
                if isinstance(value, ListValueNode):
                    return len(value.values)
                if isinstance(value, VariableNode):
                    given = self.variables.get(value.name.value)
                    return len(given) if isinstance(given, list) else DEFAULT_LIST_BOUND
                return self._int(value) or DEFAULT_LIST_BOUND
        return DEFAULT_LIST_BOUND

    def selection_set(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, page: int | None
    ) -> int:
        """Objects a selection set on ``parent`` may return; ``page``: the page size when
        ``parent`` is a connection (its ``edges`` and ``nodes`` hold that many)."""
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, inner or parent, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, page)
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType, page: int | None) -> int:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0  # __typename on a union: free
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 0  # __typename, or introspection
        named, is_list = _unwrap(definition.type)
        if not is_composite_type(named):
            return 0
        inner_page = self._page_size(node) if "first" in definition.args else None
        if inner_page is not None:
            count = 1  # the connection object; its edges and nodes hold the page
        elif is_list:
            in_connection = page is not None and node.name.value in ("edges", "nodes")
            count = (
                page if in_connection and page is not None else self._list_bound(parent.name, node)
            )
        else:
            count = 1
        return count * (1 + self.selection_set(node.selection_set, named, inner_page))

    def fragment(self, name: str, page: int | None) -> int:
        key = (name, page)
        if key not in self.measured:
            definition = self.fragments.get(name)
            self.measured[key] = 0  # a cycle counts nothing (validation refused it anyway)
            if definition is not None:
                parent = self.schema.get_type(definition.type_condition.name.value)
                if parent is not None:
                    self.measured[key] = self.selection_set(definition.selection_set, parent, page)
        return self.measured[key]


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
) -> Cost:
    """What ``operation`` may cost, before it runs."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return Cost(requested=1, nodes=0, mutations=0)
    walk = _Walk(schema, document, variables or {})
    nodes = walk.selection_set(operation.selection_set, root, None)
    mutations = 0
    if operation.operation == OperationType.MUTATION:
        mutations = sum(1 for s in operation.selection_set.selections if isinstance(s, FieldNode))
    return Cost(
        requested=max(1, nodes + MUTATION_COST * mutations), nodes=nodes, mutations=mutations
    )


def cost_problems(cost: Cost, limits: Limits) -> list[GraphQLError]:
    """The limits a cost exceeds, as errors stating the cost and the limit."""
    problems = []
    if cost.nodes > limits.nodes:
        problems.append(
            GraphQLError(
                f"This request could return {cost.nodes:,} objects; at most {limits.nodes:,} "
                "are allowed. Ask for smaller pages (first/last) or fewer nested lists.",
                extensions={
                    "code": "COST_LIMIT_EXCEEDED",
                    "cost": cost.nodes,
                    "limit": limits.nodes,
                },
            )
        )
    if cost.mutations > limits.mutations:
        problems.append(
            GraphQLError(
                f"This request holds {cost.mutations} mutations; at most {limits.mutations} are "
                "allowed per request.",
                extensions={
                    "code": "MUTATION_LIMIT_EXCEEDED",
                    "mutations": cost.mutations,
                    "limit": limits.mutations,
                },
            )
        )
    return problems


def actual_cost(data: object, mutations: int) -> int:
    """The points an answer really cost: the objects it holds (the root not counted)."""
    objects = -1 if isinstance(data, dict) else 0
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            objects += 1
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return max(1, objects + MUTATION_COST * mutations)
