"""Ordering arguments of list queries."""

from enum import Enum

import strawberry


@strawberry.enum(description="Fields issues can be ordered by.")
class IssueOrderField(Enum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    TITLE = "TITLE"


@strawberry.enum(description="Fields projects can be ordered by.")
class ProjectOrderField(Enum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    TITLE = "TITLE"
    REQUESTED_BUDGET = "REQUESTED_BUDGET"


@strawberry.input(description="How to order issues.")
class IssueOrder:
    field: IssueOrderField = strawberry.field(
        default=IssueOrderField.CREATED_AT, description="Field to order by."
    )
    descending: bool = strawberry.field(default=True, description="Largest/newest first.")


@strawberry.input(description="How to order projects.")
class ProjectOrder:
    field: ProjectOrderField = strawberry.field(
        default=ProjectOrderField.CREATED_AT, description="Field to order by."
    )
    descending: bool = strawberry.field(default=True, description="Largest/newest first.")
