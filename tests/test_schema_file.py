"""The committed schema.graphql is the partners' contract: it must match the code."""

from pathlib import Path

from schema import schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_committed_schema_matches_the_code():
    assert SCHEMA_FILE.read_text() == schema.as_str() + "\n", (
        "schema.graphql drifted: run `si-hub export-schema`, review the diff, commit it"
    )


def test_every_public_type_and_field_has_a_description():
    undocumented = []
    for type_ in schema._schema.type_map.values():
        if type_.name.startswith("__") or type_.name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        # Mutation is merged from per-domain classes and has no description of its own.
        if not type_.description and type_.name != "Mutation":
            undocumented.append(type_.name)
        for name, field in (getattr(type_, "fields", None) or {}).items():
            if not field.description:
                undocumented.append(f"{type_.name}.{name}")
    assert undocumented == []
