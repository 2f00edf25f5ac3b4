"""GraphQL types of the taxonomies: the 17 UN SDGs and the affected groups, with labels."""

import strawberry

from models import AffectedGroup
from resolvers import taxonomy
from schema.locale import Locale, locale_or_default


@strawberry.type(description="A UN Sustainable Development Goal.")
class SdgGoal:
    number: int = strawberry.field(description="The goal's number, 1 to 17.")
    name: str = strawberry.field(description="The goal's official short name.")


@strawberry.type(description="An affected group with its label in the asked language.")
class AffectedGroupLabel:
    group: AffectedGroup = strawberry.field(description="The group.")
    label: str = strawberry.field(description="How to show the group to people.")


@strawberry.type
class TaxonomyQuery:
    @strawberry.field(description="The 17 UN Sustainable Development Goals, by number.")
    def sdg_goals(self, locale: Locale | None = Locale.EN) -> list[SdgGoal]:
        return [
            SdgGoal(number=number, name=name)
            for number, name in taxonomy.sdg_goals(locale_or_default(locale))
        ]

    @strawberry.field(description="Every affected group with its label.")
    def affected_groups(self, locale: Locale | None = Locale.EN) -> list[AffectedGroupLabel]:
        return [
            AffectedGroupLabel(group=group, label=label)
            for group, label in taxonomy.affected_groups(locale_or_default(locale))
        ]
