# ruff: noqa: RUF001 (Ukrainian text is Cyrillic on purpose, not look-alike Latin letters)
"""The community pages' interface text in English and Ukrainian (``?lang=uk``).

SDG names and affected-group labels come from the API (``sdgGoals``, ``affectedGroups`` with a
``locale``); the few enums the API has no labels for (status, category, sector) and the page's
own words live here. Sentences avoid counted nouns ("Issues in view: 5") so neither language
needs plural rules.
"""

from dataclasses import dataclass
from enum import StrEnum

from starlette.requests import Request

from models import IssueCategory, IssueStatus, Sector


class Language(StrEnum):
    EN = "en"
    UK = "uk"

    @property
    def locale(self) -> str:
        """The GraphQL ``Locale`` enum value."""
        return self.value.upper()


def language_of(request: Request) -> Language:
    """``?lang=uk`` picks Ukrainian; anything else is English."""
    return Language.UK if request.query_params.get("lang") == Language.UK else Language.EN


@dataclass(frozen=True)
class UiText:
    region: str
    population: str
    open_map: str
    other_language: str
    insights_heading: str
    total_issues: str
    total_projects: str
    by_status: str
    sdg_chart_title: str
    sdg_chart_description: str
    group_chart_title: str
    group_chart_description: str
    no_issues: str
    data_table: str
    goal: str
    group: str
    projects: str
    money_pledged: str
    total: str
    not_found_title: str
    not_found_text: str
    communities_title: str
    map_title: str
    back_to_community: str
    filters: str
    any_value: str
    status: str
    sdg: str
    affected_group: str
    category: str
    author_sector: str
    reset_filters: str
    zoom_in: str
    zoom_out: str
    map_label: str
    loading: str
    load_failed: str
    retry: str
    issues_in_view: str
    tiles_failed: str
    cluster_label: str
    issue_label: str
    close: str
    no_script: str


ENGLISH = UiText(
    region="Region",
    population="Population",
    open_map="Open the map of issues",
    other_language="Українською",
    insights_heading="What residents have mapped",
    total_issues="Issues",
    total_projects="Projects",
    by_status="Issues by status",
    sdg_chart_title="Issues per UN Sustainable Development Goal",
    sdg_chart_description="Horizontal bars, one per goal with issues, split into open, "
    "addressed and resolved issues. Goals with issues: {count}.",
    group_chart_title="Issues per affected group",
    group_chart_description="Horizontal bars, one per group with issues, split into open, "
    "addressed and resolved issues. Groups with issues: {count}.",
    no_issues="No issues have been mapped yet.",
    data_table="The numbers as a table",
    goal="Goal",
    group="Group",
    projects="Projects",
    money_pledged="Money pledged",
    total="Total",
    not_found_title="No such community",
    not_found_text="We could not find a community with the ID",
    communities_title="Communities",
    map_title="Map of issues",
    back_to_community="Back to the community",
    filters="Filters",
    any_value="Any",
    status="Status",
    sdg="Development goal",
    affected_group="Affected group",
    category="Category",
    author_sector="Defined by",
    reset_filters="Show all",
    zoom_in="Zoom in",
    zoom_out="Zoom out",
    map_label="Map. Drag or use the arrow keys to move, the buttons or + and - to zoom.",
    loading="Loading issues…",
    load_failed="Could not load the issues.",
    retry="Try again",
    issues_in_view="Issues in view: {count}",
    tiles_failed="The map background is unavailable; issues are shown without it.",
    cluster_label="Issues here: {count}. Zoom in.",
    issue_label="An issue: show details",
    close="Close",
    no_script="The map needs JavaScript.",
)

UKRAINIAN = UiText(
    region="Область",
    population="Населення",
    open_map="Відкрити мапу проблем",
    other_language="English",
    insights_heading="Що позначили мешканці",
    total_issues="Проблеми",
    total_projects="Проєкти",
    by_status="Проблеми за статусом",
    sdg_chart_title="Проблеми за Цілями сталого розвитку ООН",
    sdg_chart_description="Горизонтальні смуги, по одній на ціль із проблемами, поділені на "
    "відкриті, ті, що вирішуються, та вирішені. Цілей із проблемами: {count}.",
    group_chart_title="Проблеми за вразливими групами",
    group_chart_description="Горизонтальні смуги, по одній на групу з проблемами, поділені на "
    "відкриті, ті, що вирішуються, та вирішені. Груп із проблемами: {count}.",
    no_issues="Проблем ще не позначено.",
    data_table="Ті самі дані таблицею",
    goal="Ціль",
    group="Група",
    projects="Проєкти",
    money_pledged="Обіцяні кошти",
    total="Усього",
    not_found_title="Такої громади немає",
    not_found_text="Не знайдено громади з ідентифікатором",
    communities_title="Громади",
    map_title="Мапа проблем",
    back_to_community="Назад до громади",
    filters="Фільтри",
    any_value="Будь-яка",
    status="Статус",
    sdg="Ціль розвитку",
    affected_group="Вразлива група",
    category="Категорія",
    author_sector="Хто позначив",
    reset_filters="Показати все",
    zoom_in="Наблизити",
    zoom_out="Віддалити",
    map_label="Мапа. Перетягуйте або користуйтеся стрілками, щоб рухатися; кнопками або + і - "
    "змінюйте масштаб.",
    loading="Завантаження проблем…",
    load_failed="Не вдалося завантажити проблеми.",
    retry="Спробувати ще",
    issues_in_view="Проблем у видимій області: {count}",
    tiles_failed="Підкладка мапи недоступна; проблеми показано без неї.",
    cluster_label="Проблем тут: {count}. Наблизити.",
    issue_label="Проблема: показати деталі",
    close="Закрити",
    no_script="Для мапи потрібен JavaScript.",
)

_STATUS_LABELS = {
    Language.EN: {
        IssueStatus.OPEN: "Open",
        IssueStatus.ADDRESSED: "Addressed",
        IssueStatus.RESOLVED: "Resolved",
        IssueStatus.DUPLICATE: "Duplicate",
    },
    Language.UK: {
        IssueStatus.OPEN: "Відкрита",
        IssueStatus.ADDRESSED: "Вирішується",
        IssueStatus.RESOLVED: "Вирішена",
        IssueStatus.DUPLICATE: "Дублікат",
    },
}

_CATEGORY_LABELS = {
    Language.EN: {
        IssueCategory.INFRASTRUCTURE: "Infrastructure",
        IssueCategory.TRANSPORT: "Transport",
        IssueCategory.ENVIRONMENT: "Environment",
        IssueCategory.HEALTH: "Health",
        IssueCategory.EDUCATION: "Education",
        IssueCategory.SOCIAL_SERVICES: "Social services",
        IssueCategory.HOUSING: "Housing",
        IssueCategory.SAFETY: "Safety",
        IssueCategory.ECONOMY: "Economy",
        IssueCategory.CULTURE_AND_SPORT: "Culture and sport",
        IssueCategory.GOVERNANCE: "Governance",
        IssueCategory.OTHER: "Other",
    },
    Language.UK: {
        IssueCategory.INFRASTRUCTURE: "Інфраструктура",
        IssueCategory.TRANSPORT: "Транспорт",
        IssueCategory.ENVIRONMENT: "Довкілля",
        IssueCategory.HEALTH: "Здоров'я",
        IssueCategory.EDUCATION: "Освіта",
        IssueCategory.SOCIAL_SERVICES: "Соціальні послуги",
        IssueCategory.HOUSING: "Житло",
        IssueCategory.SAFETY: "Безпека",
        IssueCategory.ECONOMY: "Економіка",
        IssueCategory.CULTURE_AND_SPORT: "Культура і спорт",
        IssueCategory.GOVERNANCE: "Врядування",
        IssueCategory.OTHER: "Інше",
    },
}

_SECTOR_LABELS = {
    Language.EN: {
        Sector.PUBLIC: "Local authority or public body",
        Sector.NONPROFIT: "Nonprofit",
        Sector.BUSINESS: "Business",
    },
    Language.UK: {
        Sector.PUBLIC: "Орган влади",
        Sector.NONPROFIT: "Громадська організація",
        Sector.BUSINESS: "Бізнес",
    },
}


def text(language: Language) -> UiText:
    return UKRAINIAN if language is Language.UK else ENGLISH


def status_labels(language: Language) -> dict[IssueStatus, str]:
    return _STATUS_LABELS[language]


def category_labels(language: Language) -> dict[IssueCategory, str]:
    return _CATEGORY_LABELS[language]


def sector_labels(language: Language) -> dict[Sector, str]:
    return _SECTOR_LABELS[language]
