"""Projects: proposing initiatives that address issues, and moving them through their life."""

from dataclasses import dataclass, replace

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import (
    Actor,
    ActorKind,
    AffectedGroup,
    Currency,
    Issue,
    IssueStatus,
    Project,
    ProjectIssue,
    ProjectPartner,
    ProjectStatus,
    Sector,
)
from models.money import to_minor_units
from resolvers.activity import record_activity
from resolvers.community import community_by_global_id
from resolvers.errors import ErrorCode, NotFound
from resolvers.filtering import (
    by_actor,
    check_sdg_filter,
    decoded_id,
    in_order,
    issue_tag_subqueries,
)
from resolvers.ids import decode_id, to_global_id
from resolvers.pagination import Page, PageArgs, page_of_query
from resolvers.permissions import acting_actor, require_owner, require_signed_in
from resolvers.validation import Checker

MAX_ISSUES_PER_PROJECT = 20
MAX_PARTNERS_PER_PROJECT = 50
PROJECT_ORDER_FIELDS = {
    "CREATED_AT": "created_at",
    "UPDATED_AT": "updated_at",
    "TITLE": "title",
    "REQUESTED_BUDGET": "requested_budget_minor",
}
# Which status may follow which: a project only moves forward, or is withdrawn.
ALLOWED_TRANSITIONS: dict[ProjectStatus, set[ProjectStatus]] = {
    ProjectStatus.DRAFT: {ProjectStatus.PROPOSED, ProjectStatus.WITHDRAWN},
    ProjectStatus.PROPOSED: {
        ProjectStatus.PITCHED,
        ProjectStatus.FUNDED,
        ProjectStatus.WITHDRAWN,
    },
    ProjectStatus.PITCHED: {ProjectStatus.FUNDED, ProjectStatus.WITHDRAWN},
    ProjectStatus.FUNDED: {ProjectStatus.IN_PROGRESS, ProjectStatus.WITHDRAWN},
    ProjectStatus.IN_PROGRESS: {ProjectStatus.COMPLETED, ProjectStatus.WITHDRAWN},
    ProjectStatus.COMPLETED: set(),
    ProjectStatus.WITHDRAWN: set(),
}


@dataclass(frozen=True)
class ProjectFilterArgs:
    community_id: int | None = None
    statuses: tuple[ProjectStatus, ...] = ()
    issue_id: int | None = None
    sdg_goal: int | None = None
    affected_group: AffectedGroup | None = None
    lead_sector: Sector | None = None
    led_by_people: bool | None = None


@dataclass(frozen=True)
class MoneyArgs:
    amount: str
    currency: Currency


def projects_query(
    filters: ProjectFilterArgs, *, order_field: str = "CREATED_AT", descending: bool = True
) -> QuerySet[Project]:
    query = Project.all()
    if filters.community_id is not None:
        query = query.filter(community_id=filters.community_id)
    if filters.statuses:
        query = query.filter(status__in=list(filters.statuses))
    issue_links = ProjectIssue.all()
    if filters.issue_id is not None:
        issue_links = issue_links.filter(issue_id=filters.issue_id)
    tagged = issue_tag_subqueries(filters.sdg_goal, filters.affected_group)
    for subquery in tagged:
        issue_links = issue_links.filter(issue_id__in=subquery)
    if filters.issue_id is not None or tagged:
        query = query.filter(id__in=Subquery(issue_links.values("project_id")))
    query = by_actor(query, "lead", filters.lead_sector, filters.led_by_people)
    return in_order(query, PROJECT_ORDER_FIELDS, order_field, descending)


def project_filter_args(
    checker: Checker,
    conditions: ProjectFilterArgs,
    *,
    community_id: str | None,
    issue_id: str | None,
) -> ProjectFilterArgs:
    """A project list's filter as asked: ``conditions`` with the global IDs decoded; a
    malformed ID or an unknown SDG goes to ``checker`` (named ``filter.*``)."""
    check_sdg_filter(checker, conditions.sdg_goal)
    return replace(
        conditions,
        community_id=decoded_id(checker, community_id, "Community", "filter.communityId"),
        issue_id=decoded_id(checker, issue_id, "Issue", "filter.issueId"),
    )


async def projects_page(
    filters: ProjectFilterArgs,
    page: PageArgs,
    viewer: Actor | None,
    *,
    order_field: str,
    descending: bool,
) -> Page[Project]:
    """A page of the projects matching the filters that the viewer may see."""
    query = projects_query(filters, order_field=order_field, descending=descending)
    return await page_of_query(visible_projects(query, viewer), page)


def may_see_project(project: Project, viewer: Actor | None) -> bool:
    """Drafts are private: only whoever created a draft sees it."""
    if project.status != ProjectStatus.DRAFT:
        return True
    return viewer is not None and viewer.pk == project.created_by_id


def visible_projects(query: QuerySet[Project], viewer: Actor | None) -> QuerySet[Project]:
    """Drafts are private: only whoever created a draft sees it in lists."""
    if viewer is None:
        return query.exclude(status=ProjectStatus.DRAFT)
    return query.filter(Q(status__not=ProjectStatus.DRAFT) | Q(created_by_id=viewer.pk))


async def project_by_global_id(global_id: str, *, field: str = "projectId") -> Project:
    project = await Project.get_or_none(pk=decode_id(global_id, "Project", field=field))
    if project is None:
        raise NotFound(f"No project has the ID given in {field}.", field=field)
    return project


def _check_budget(checker: Checker, budget: MoneyArgs) -> int | None:
    amount = checker.non_negative_decimal("requestedBudget.amount", budget.amount)
    return None if amount is None else to_minor_units(amount)


async def _load_issues(community_id: int, issue_ids: list[str], checker: Checker) -> list[Issue]:
    if not issue_ids:
        checker.add("issueIds", ErrorCode.REQUIRED, "A project addresses at least one issue.")
    if len(issue_ids) > MAX_ISSUES_PER_PROJECT:
        checker.add("issueIds", ErrorCode.OUT_OF_RANGE, "A project addresses at most 20 issues.")
    checker.raise_if_any()
    pks = {decode_id(global_id, "Issue", field="issueIds") for global_id in issue_ids}
    issues = await Issue.filter(pk__in=pks)
    if len(issues) != len(pks):
        raise NotFound("Some of issueIds name no issue.", field="issueIds")
    for issue in issues:
        if issue.community_id != community_id:
            checker.add(
                "issueIds",
                ErrorCode.DIFFERENT_COMMUNITY,
                f"Issue '{issue.title}' belongs to another community.",
            )
        if issue.status == IssueStatus.DUPLICATE:
            checker.add(
                "issueIds",
                ErrorCode.INVALID,
                f"Issue '{issue.title}' is a duplicate: address the original instead.",
            )
    checker.raise_if_any()
    return issues


async def _load_partners(partner_ids: list[str]) -> list[Actor]:
    if len(partner_ids) > MAX_PARTNERS_PER_PROJECT:
        checker = Checker()
        checker.add(
            "partnerIds",
            ErrorCode.OUT_OF_RANGE,
            f"A project has at most {MAX_PARTNERS_PER_PROJECT} partners.",
        )
        checker.raise_if_any()
    pks = {decode_id(global_id, "Organization", field="partnerIds") for global_id in partner_ids}
    partners = await Actor.filter(pk__in=pks, kind=ActorKind.ORGANIZATION)
    if len(partners) != len(pks):
        raise NotFound("Some of partnerIds name no organization.", field="partnerIds")
    return partners


async def _mark_issues_addressed(issues: list[Issue]) -> None:
    open_ids = [issue.pk for issue in issues if issue.status == IssueStatus.OPEN]
    if open_ids:
        await Issue.filter(pk__in=open_ids).update(status=IssueStatus.ADDRESSED)


async def propose_project(
    viewer: Actor | None,
    *,
    community_id: str,
    title: str,
    summary: str,
    requested_budget: MoneyArgs,
    issue_ids: list[str],
    partner_ids: list[str],
    acting_for: str | None,
    draft: bool,
) -> Project:
    """Propose (or draft) a project addressing issues of one community."""
    checker = Checker()
    clean_title = checker.text("title", title, min_length=3, max_length=200)
    clean_summary = checker.text("summary", summary, max_length=20_000)
    budget_minor = _check_budget(checker, requested_budget)
    checker.raise_if_any()
    community = await community_by_global_id(community_id)
    lead = await acting_actor(viewer, acting_for)
    person = require_signed_in(viewer)
    issues = await _load_issues(community.pk, issue_ids, checker)
    partners = await _load_partners(partner_ids)
    status = ProjectStatus.DRAFT if draft else ProjectStatus.PROPOSED
    async with in_transaction():
        project = await Project.create(
            community=community,
            title=clean_title,
            summary=clean_summary,
            requested_budget_minor=budget_minor or 0,
            currency=requested_budget.currency,
            lead=lead,
            created_by=person,
            status=status,
        )
        await ProjectIssue.bulk_create([ProjectIssue(project=project, issue=i) for i in issues])
        await ProjectPartner.bulk_create(
            [ProjectPartner(project=project, organization=p) for p in partners]
        )
        if status != ProjectStatus.DRAFT:
            await _mark_issues_addressed(issues)
        await record_activity(
            verb="project.proposed" if status != ProjectStatus.DRAFT else "project.drafted",
            subject=project,
            actor=lead,
            performed_by=person,
            community_id=community.pk,
            is_public=status != ProjectStatus.DRAFT,
            details={
                "title": clean_title,
                "issueIds": [
                    to_global_id("Issue", i.pk) for i in sorted(issues, key=lambda i: i.pk)
                ],
            },
        )
    return project


async def update_project(
    viewer: Actor | None,
    *,
    project_id: str,
    title: str | None,
    summary: str | None,
    requested_budget: MoneyArgs | None,
    status: ProjectStatus | None,
    issue_ids: list[str] | None,
    partner_ids: list[str] | None,
) -> Project:
    """Edit a project or move its status; only its lead (or the lead's members) may."""
    checker = Checker()
    changes: dict[str, object] = {}
    if title is not None:
        changes["title"] = checker.text("title", title, min_length=3, max_length=200)
    if summary is not None:
        changes["summary"] = checker.text("summary", summary, max_length=20_000)
    if requested_budget is not None:
        changes["requested_budget_minor"] = _check_budget(checker, requested_budget)
        changes["currency"] = requested_budget.currency
    checker.raise_if_any()
    project = await project_by_global_id(project_id)
    person = await require_owner(viewer, project.lead_id, project.created_by_id, what="project")
    if status is not None and status != project.status:
        if status not in ALLOWED_TRANSITIONS[ProjectStatus(project.status)]:
            checker.add(
                "status",
                ErrorCode.INVALID_STATUS_TRANSITION,
                f"A {project.status} project cannot become {status}.",
            )
        changes["status"] = status
    issues = await _load_issues(project.community_id, issue_ids, checker) if issue_ids else None
    if issue_ids is not None and not issue_ids:
        checker.add("issueIds", ErrorCode.REQUIRED, "A project addresses at least one issue.")
    checker.raise_if_any()
    partners = await _load_partners(partner_ids) if partner_ids is not None else None
    async with in_transaction():
        if changes:
            project.update_from_dict(changes)
            await project.save()
        if issues is not None:
            await ProjectIssue.filter(project=project).delete()
            await ProjectIssue.bulk_create([ProjectIssue(project=project, issue=i) for i in issues])
        if partners is not None:
            await ProjectPartner.filter(project=project).delete()
            await ProjectPartner.bulk_create(
                [ProjectPartner(project=project, organization=p) for p in partners]
            )
        if project.status not in (ProjectStatus.DRAFT, ProjectStatus.WITHDRAWN):
            linked = issues or await Issue.filter(addressing_projects__project=project)
            await _mark_issues_addressed(list(linked))
        await record_activity(
            verb="project.updated",
            subject=project,
            actor=await Actor.get(pk=project.lead_id),
            performed_by=person,
            community_id=project.community_id,
            is_public=project.status != ProjectStatus.DRAFT,
            details={"fields": sorted(changes), "status": str(project.status)},
        )
    return project
