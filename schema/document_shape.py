"""The shape of a GraphQL document with its fragments expanded, measured in one linear walk.

An attacker's document can be small and expand enormously: 21 fragments, each spreading the
previous one twice, name 2^21 fields in 823 bytes. Rules that walk every spread again
(strawberry's depth and alias limiters did) take time exponential in the number of
fragments; graphql-core's OverlappingFieldsCanBeMerged compares every pair of fields that
share a response name in one selection set, so 500 copies of ``viewer { id }`` took 0.7 s.

Here each fragment is measured once (memoised) and its measure reused wherever it is
spread, so the walk is linear in the document's size; the numbers it adds up may be huge,
but they are only compared with the limits. Documents over a limit are refused before
graphql-core validates them, so validation only ever sees bounded documents.
"""

from collections import Counter
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


@dataclass(frozen=True)
class Limits:
    depth: int  # nested levels of fields (a leaf under the root field is depth 1)
    aliases: int  # aliased fields, fragments expanded
    fields: int  # field selections, fragments expanded
    same_name: int  # fields sharing one response name in one selection set
    definitions: int = 100  # operations and fragments (each costs validation ~0.2 ms)


@dataclass
class Shape:
    """Measures of a selection set, with its fragments expanded."""

    depth: int = 0
    aliases: int = 0
    fields: int = 0
    widest_same_name: int = 0  # the most fields sharing a response name, in any set below
    names: Counter[str] = field(default_factory=Counter)  # response names at the top level

    def add(self, other: "Shape", *, merged: bool) -> None:
        """Add a selection's measures; ``merged``: its top-level fields join this set."""
        self.depth = max(self.depth, other.depth)
        self.aliases += other.aliases
        self.fields += other.fields
        self.widest_same_name = max(self.widest_same_name, other.widest_same_name)
        if merged:
            self.names.update(other.names)


class _Walk:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.measured: dict[str, Shape] = {}
        self.walking: set[str] = set()

    def selection_set(self, selection_set: SelectionSetNode | None) -> Shape:
        shape = Shape()
        if selection_set is None:
            return shape
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                shape.add(self.field(selection), merged=True)
            elif isinstance(selection, InlineFragmentNode):
                shape.add(self.selection_set(selection.selection_set), merged=True)
            elif isinstance(selection, FragmentSpreadNode):
                shape.add(self.fragment(selection.name.value), merged=True)
        if shape.names:
            shape.widest_same_name = max(shape.widest_same_name, max(shape.names.values()))
        return shape

    def field(self, node: FieldNode) -> Shape:
        below = self.selection_set(node.selection_set)
        response_name = (node.alias or node.name).value
        return Shape(
            depth=below.depth + 1 if node.selection_set else 0,
            aliases=below.aliases + (1 if node.alias else 0),
            fields=below.fields + 1,
            widest_same_name=below.widest_same_name,
            names=Counter({response_name: 1}),
        )

    def fragment(self, name: str) -> Shape:
        known = self.measured.get(name)
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None or name in self.walking:
            return Shape()  # unknown or cyclic: validation reports it
        self.walking.add(name)
        shape = self.selection_set(definition.selection_set)
        self.walking.discard(name)
        self.measured[name] = shape
        return shape


def _name(operation: OperationDefinitionNode) -> str:
    return f"'{operation.name.value}'" if operation.name else "The operation"


def shape_problems(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """Every operation's shape over a limit, as errors with a ``code``; [] when within."""
    walk = _Walk(document)
    problems = []
    if len(document.definitions) > limits.definitions:
        problems.append(
            GraphQLError(
                f"The document has {len(document.definitions):,} operations and fragments; at "
                f"most {limits.definitions:,} are allowed.",
                extensions={"code": "DEFINITION_LIMIT_EXCEEDED", "limit": limits.definitions},
            )
        )
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        shape = walk.selection_set(definition.selection_set)
        name = _name(definition)
        for code, measured, limit, what in (
            ("DEPTH_LIMIT_EXCEEDED", shape.depth, limits.depth, "is {} levels deep"),
            ("ALIAS_LIMIT_EXCEEDED", shape.aliases, limits.aliases, "has {} aliases"),
            (
                "FIELD_LIMIT_EXCEEDED",
                shape.fields,
                limits.fields,
                "has {} fields (fragments expanded)",
            ),
            (
                "REPEATED_FIELD_LIMIT_EXCEEDED",
                shape.widest_same_name,
                limits.same_name,
                "has {} fields of one name in one selection",
            ),
        ):
            if measured > limit:
                shown = f"{measured:,}" if measured < 10**12 else f"over {10**12:,}"
                problems.append(
                    GraphQLError(
                        f"{name} {what.format(shown)}; at most {limit:,} are allowed.",
                        extensions={"code": code, "limit": limit},
                    )
                )
    return problems
