"""A demo community for newcomers: a hromada with all three sectors at work.

Everything is created through the same resolvers the API uses, so the demo data carries
a real activity log and obeys every rule a client would meet.
"""

from datetime import UTC, datetime

from models import (
    Actor,
    AffectedGroup,
    Community,
    Currency,
    IssueCategory,
    MembershipRole,
    PledgeKind,
    Sector,
)
from resolvers import (
    community,
    event,
    issue,
    match_pool,
    organization,
    pledge,
    pledge_status,
    project,
)
from resolvers import person as person_resolvers
from resolvers.ids import to_global_id
from resolvers.rate_limits import Guard

DEMO_COMMUNITY = "Bilozirska hromada"
DEMO_PASSWORD = "demo-password-2020"
RESIDENTS = [
    ("Olena Kovalenko", "olena@demo.example"),
    ("Taras Shevchuk", "taras@demo.example"),
    ("Iryna Bondar", "iryna@demo.example"),
    ("Mykola Tkachenko", "mykola@demo.example"),
    ("Halyna Melnyk", "halyna@demo.example"),
    ("Andrii Kravets", "andrii@demo.example"),
]


def _org_id(actor: Actor) -> str:
    return to_global_id("Organization", actor.pk)


async def _people() -> list[Actor]:
    people = []
    for name, email in RESIDENTS:
        await person_resolvers.register(name, email, DEMO_PASSWORD, guard=Guard())
        people.append(await Actor.get(email=email))
    return people


async def _issues(people: list[Actor], space: Community, council: Actor) -> list[str]:
    space_id = to_global_id("Community", space.pk)
    specs = [
        (
            people[0],
            None,
            "No ramp at the outpatient clinic",
            IssueCategory.HEALTH,
            [3, 10],
            [AffectedGroup.PEOPLE_WITH_DISABILITIES, AffectedGroup.ELDERLY],
            0.004,
            -0.003,
        ),
        (
            people[1],
            None,
            "Unlit road to the school",
            IssueCategory.SAFETY,
            [4, 11],
            [AffectedGroup.CHILDREN_AND_YOUTH],
            -0.006,
            0.002,
        ),
        (
            people[2],
            None,
            "No place for displaced families to meet and get advice",
            IssueCategory.SOCIAL_SERVICES,
            [1, 10, 16],
            [AffectedGroup.INTERNALLY_DISPLACED, AffectedGroup.LOW_INCOME],
            0.001,
            0.007,
        ),
        (
            people[3],
            _org_id(council),
            "Illegal dump by the river",
            IssueCategory.ENVIRONMENT,
            [6, 15],
            [AffectedGroup.OTHER],
            -0.011,
            -0.009,
        ),
        (
            people[4],
            None,
            "Veterans lack rehabilitation and job counselling",
            IssueCategory.ECONOMY,
            [3, 8],
            [AffectedGroup.VETERANS, AffectedGroup.UNEMPLOYED],
            0.008,
            0.004,
        ),
    ]
    issue_ids = []
    for author, acting_for, title, category, goals, groups, dlat, dlng in specs:
        row = await issue.define_issue(
            author,
            community_id=space_id,
            title=title,
            description=f"{title}. Mapped by residents during the community mapping walk.",
            location=issue.Location(space.centre_latitude + dlat, space.centre_longitude + dlng),
            category=category,
            sdg_goals=goals,
            affected_groups=groups,
            acting_for=acting_for,
        )
        issue_ids.append(to_global_id("Issue", row.pk))
    return issue_ids


async def seed_demo_community() -> str:
    """Create the demo community unless it exists; returns what happened."""
    if await Community.exists(name=DEMO_COMMUNITY):
        return f"The demo community '{DEMO_COMMUNITY}' already exists; nothing to do."
    people = await _people()
    mayor, teacher, nurse, shop_owner = people[3], people[1], people[0], people[5]
    council = await organization.create_organization(
        mayor,
        display_name="Bilozirka Village Council",
        sector=Sector.PUBLIC,
        description="The local self-government body of the hromada.",
    )
    ngo = await organization.create_organization(
        nurse,
        display_name="Caring Neighbours NGO",
        sector=Sector.NONPROFIT,
        description="Volunteers helping elderly and displaced residents.",
    )
    business = await organization.create_organization(
        shop_owner,
        display_name="Dnipro Hardware LLC",
        sector=Sector.BUSINESS,
        description="Building supplies store on the central square.",
    )
    await organization.add_member(
        mayor,
        organization_id=_org_id(council),
        person_id=to_global_id("Person", teacher.pk),
        role=MembershipRole.MEMBER,
    )
    space = await community.create_community(
        mayor,
        acting_for=_org_id(council),
        name=DEMO_COMMUNITY,
        region_name="Cherkasy Oblast",
        population=19_500,
        latitude=49.5667,
        longitude=31.8833,
    )
    issue_ids = await _issues(people, space, council)
    space_id = to_global_id("Community", space.pk)
    ramp = await project.propose_project(
        nurse,
        community_id=space_id,
        title="Accessible clinic entrance",
        summary="A ramp, handrails and an accessible door at the outpatient clinic.",
        requested_budget=project.MoneyArgs("85000.00", Currency.UAH),
        issue_ids=[issue_ids[0]],
        partner_ids=[_org_id(business), _org_id(council)],
        acting_for=_org_id(ngo),
        draft=False,
    )
    lights = await project.propose_project(
        teacher,
        community_id=space_id,
        title="Solar street lights on School Lane",
        summary="Twelve solar lamps along the road children walk to school.",
        requested_budget=project.MoneyArgs("140000.00", Currency.UAH),
        issue_ids=[issue_ids[1]],
        partner_ids=[_org_id(business)],
        acting_for=None,
        draft=False,
    )
    hub = await project.propose_project(
        people[2],
        community_id=space_id,
        title="Advice corner for displaced families",
        summary="A weekly advice corner in the library with lawyers and psychologists.",
        requested_budget=project.MoneyArgs("42000.00", Currency.UAH),
        issue_ids=[issue_ids[2], issue_ids[4]],
        partner_ids=[_org_id(ngo)],
        acting_for=None,
        draft=False,
    )
    for index, person in enumerate(people):
        for target in (ramp, lights, hub)[: 1 + index % 3]:
            await pledge.make_pledge(
                person,
                project_id=to_global_id("Project", target.pk),
                kind=PledgeKind.VOTE,
                amount=None,
                hours=None,
                description=None,
                acting_for=None,
                idempotency_key=None,
            )
    ramp_id, lights_id = to_global_id("Project", ramp.pk), to_global_id("Project", lights.pk)
    await pledge.make_pledge(
        shop_owner,
        project_id=ramp_id,
        kind=PledgeKind.IN_KIND,
        amount=project.MoneyArgs("12000.00", Currency.UAH),
        hours=None,
        description="Cement and handrail steel",
        acting_for=_org_id(business),
        idempotency_key=None,
    )
    await pledge.make_pledge(
        mayor,
        project_id=ramp_id,
        kind=PledgeKind.MONEY,
        amount=project.MoneyArgs("40000.00", Currency.UAH),
        hours=None,
        description="Co-financing from the 2020 local budget",
        acting_for=_org_id(council),
        idempotency_key=None,
    )
    await pledge.make_pledge(
        people[4],
        project_id=lights_id,
        kind=PledgeKind.MONEY,
        amount=project.MoneyArgs("1500.00", Currency.UAH),
        hours=None,
        description=None,
        acting_for=None,
        idempotency_key=None,
    )
    await pledge.make_pledge(
        people[2],
        project_id=ramp_id,
        kind=PledgeKind.TIME,
        amount=None,
        hours="16",
        description="Weekend construction help",
        acting_for=None,
        idempotency_key=None,
    )
    await _council_match(mayor, council, teacher, people, space_id, lights_id)
    code = await _pitch_night(
        mayor, council, space_id, [ramp_id, lights_id, to_global_id("Project", hub.pk)]
    )
    return (
        f"Seeded '{DEMO_COMMUNITY}': {len(people)} residents (password '{DEMO_PASSWORD}', "
        f"e.g. {RESIDENTS[0][1]}), 3 organizations, 5 issues, 3 projects and their pledges, "
        "a council match pool, "
        f"and a LIVE pitching event: join it at /e/{code} (big screen: /e/{code}/screen)."
    )


async def _council_match(
    mayor: Actor,
    council: Actor,
    lead: Actor,
    people: list[Actor],
    space_id: str,
    project_id: str,
) -> None:
    """The council adds a hryvnia for every hryvnia residents give (up to 2,000 each); the
    lead confirms two residents' pledges, so the pool has matched 2,500 UAH of them."""
    await match_pool.open_pool(
        mayor,
        match_pool.PoolArgs(
            community_id=space_id,
            acting_for=_org_id(council),
            title="Council match 2027",
            total=project.MoneyArgs("100000.00", Currency.UAH),
            ratio="1:1",
            cap_per_backer_per_project="2000",
            sectors=["CITIZEN"],
        ),
    )
    for resident, amount in ((people[4], "1500.00"), (people[0], "1000.00")):
        made, _ = await pledge.make_pledge(
            resident,
            project_id=project_id,
            kind=PledgeKind.MONEY,
            amount=project.MoneyArgs(amount, Currency.UAH),
            hours=None,
            description=None,
            acting_for=None,
            idempotency_key=None,
        )
        await pledge_status.confirm_pledge(lead, pledge_id=to_global_id("Pledge", made.pk))


async def _pitch_night(mayor: Actor, council: Actor, space_id: str, projects: list[str]) -> str:
    """A live pitching event with the three projects on its agenda; returns its join code."""
    night = await event.create_event(
        mayor,
        community_id=space_id,
        acting_for=_org_id(council),
        title="Pitch night: local budget 2020",
        venue="House of Culture, main hall",
        starts_at=datetime.now(UTC),
        supports_per_attendee=2,
        results_hidden=False,
    )
    night_id = to_global_id("PitchingEvent", night.pk)
    for project_id in projects:
        await event.add_pitch(mayor, event_id=night_id, project_id=project_id, minutes=5)
    started = await event.start_event(mayor, event_id=night_id)
    return started.join_code
