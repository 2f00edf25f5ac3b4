# ruff: noqa: RUF001 (Ukrainian text is Cyrillic on purpose, not look-alike Latin letters)
"""The two taxonomies issues are tagged with, labelled in English and Ukrainian.

SDG short names are the United Nations' official ones (in Ukrainian, as the UN in Ukraine
publishes them). Labels live in code, not in the database: they change with a release,
and every request can read them without a query.
"""

from enum import StrEnum

from models import AffectedGroup


class Locale(StrEnum):
    EN = "EN"
    UK = "UK"


SDG_NAMES: dict[int, dict[Locale, str]] = {
    1: {Locale.EN: "No poverty", Locale.UK: "Подолання бідності"},
    2: {Locale.EN: "Zero hunger", Locale.UK: "Подолання голоду"},
    3: {Locale.EN: "Good health and well-being", Locale.UK: "Міцне здоров’я і благополуччя"},
    4: {Locale.EN: "Quality education", Locale.UK: "Якісна освіта"},
    5: {Locale.EN: "Gender equality", Locale.UK: "Гендерна рівність"},
    6: {
        Locale.EN: "Clean water and sanitation",
        Locale.UK: "Чиста вода та належні санітарні умови",
    },
    7: {Locale.EN: "Affordable and clean energy", Locale.UK: "Доступна та чиста енергія"},
    8: {
        Locale.EN: "Decent work and economic growth",
        Locale.UK: "Гідна праця та економічне зростання",
    },
    9: {
        Locale.EN: "Industry, innovation and infrastructure",
        Locale.UK: "Промисловість, інновації та інфраструктура",
    },
    10: {Locale.EN: "Reduced inequalities", Locale.UK: "Скорочення нерівності"},
    11: {
        Locale.EN: "Sustainable cities and communities",
        Locale.UK: "Сталий розвиток міст і громад",
    },
    12: {
        Locale.EN: "Responsible consumption and production",
        Locale.UK: "Відповідальне споживання та виробництво",
    },
    13: {Locale.EN: "Climate action", Locale.UK: "Пом’якшення наслідків зміни клімату"},
    14: {Locale.EN: "Life below water", Locale.UK: "Збереження морських ресурсів"},
    15: {Locale.EN: "Life on land", Locale.UK: "Захист та відновлення екосистем суші"},
    16: {
        Locale.EN: "Peace, justice and strong institutions",
        Locale.UK: "Мир, справедливість та сильні інститути",
    },
    17: {
        Locale.EN: "Partnerships for the goals",
        Locale.UK: "Партнерство заради сталого розвитку",
    },
}

AFFECTED_GROUP_LABELS: dict[AffectedGroup, dict[Locale, str]] = {
    AffectedGroup.LOW_INCOME: {Locale.EN: "Low-income people", Locale.UK: "Малозабезпечені люди"},
    AffectedGroup.ELDERLY: {Locale.EN: "Older people", Locale.UK: "Люди похилого віку"},
    AffectedGroup.PEOPLE_WITH_DISABILITIES: {
        Locale.EN: "People with disabilities",
        Locale.UK: "Люди з інвалідністю",
    },
    AffectedGroup.INTERNALLY_DISPLACED: {
        Locale.EN: "Internally displaced people",
        Locale.UK: "Внутрішньо переміщені особи",
    },
    AffectedGroup.VETERANS: {Locale.EN: "Veterans", Locale.UK: "Ветерани"},
    AffectedGroup.CHILDREN_AND_YOUTH: {
        Locale.EN: "Children and youth",
        Locale.UK: "Діти та молодь",
    },
    AffectedGroup.WOMEN: {Locale.EN: "Women", Locale.UK: "Жінки"},
    AffectedGroup.ETHNIC_MINORITIES: {Locale.EN: "Ethnic minorities", Locale.UK: "Етнічні меншини"},
    AffectedGroup.UNEMPLOYED: {Locale.EN: "Unemployed people", Locale.UK: "Безробітні"},
    AffectedGroup.OTHER: {Locale.EN: "Other groups", Locale.UK: "Інші групи"},
}


def sdg_name(goal: int, locale: Locale) -> str:
    return SDG_NAMES[goal][locale]


def affected_group_label(group: AffectedGroup, locale: Locale) -> str:
    return AFFECTED_GROUP_LABELS[group][locale]


def sdg_goals(locale: Locale) -> list[tuple[int, str]]:
    """All 17 goals, by number."""
    return [(goal, names[locale]) for goal, names in sorted(SDG_NAMES.items())]


def affected_groups(locale: Locale) -> list[tuple[AffectedGroup, str]]:
    """Every affected group, in the enum's order."""
    return [(group, AFFECTED_GROUP_LABELS[group][locale]) for group in AffectedGroup]
