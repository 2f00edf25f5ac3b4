"""Opaque global IDs (Relay): base64 of ``TypeName:primary key``."""

import base64
import binascii

from resolvers.errors import ErrorCode, Problem, ValidationFailed

MAX_PRIMARY_KEY = 2**31 - 1


def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def parse_global_id(global_id: str) -> tuple[str, int] | None:
    """Return (type name, primary key), or None when the ID is not one of ours."""
    padded = global_id + "=" * (-len(global_id) % 4)
    try:
        decoded = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    type_name, _, raw_pk = decoded.partition(":")
    if not type_name or not (raw_pk.isascii() and raw_pk.isdigit()) or len(raw_pk) > 10:
        return None
    pk = int(raw_pk)
    # Primary keys are 32-bit integers: anything larger names nothing (and would make
    # PostgreSQL reject the query instead of finding no row).
    return (type_name, pk) if pk <= MAX_PRIMARY_KEY else None


def decode_id(global_id: str, *expected_types: str, field: str) -> int:
    """Decode an input ID that must name one of ``expected_types``; raises typed errors."""
    parsed = parse_global_id(global_id)
    if parsed is None:
        raise ValidationFailed(
            [Problem(f"{field} is not a valid ID.", field=field, code=ErrorCode.INVALID_ID)]
        )
    type_name, pk = parsed
    if type_name not in expected_types:
        wanted = " or ".join(expected_types)
        raise ValidationFailed(
            [
                Problem(
                    f"{field} must be the ID of a {wanted}, not of a {type_name}.",
                    field=field,
                    code=ErrorCode.WRONG_ID_TYPE,
                )
            ]
        )
    return pk
