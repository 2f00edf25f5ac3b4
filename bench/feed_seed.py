"""The feed benchmark's data: one community, its issues, projects and pledges.

Inserted by a few set-based statements on an asyncpg connection (seeding is not what
``bench/feed_query.py`` measures): ``issue_count`` issues defined by persons (60 %) and
organizations of the three sectors, issue n defined n minutes ago, with SDGs and affected
groups derived from the key; one project per two issues, each addressing one or two
(random, so some issues have none and some several), led by an organization (65 %) or a
person, with up to three partner organizations, 10 % of them drafts (which the feed must
not show); 3-60 backers per project, each with one or two pledges of different kinds
(votes, money in UAH/EUR/USD, hours, in-kind help), 8 % of them withdrawn.
"""

import random
from typing import Any

from models import Sector

PLEDGE_COLUMNS = (
    "project_id",
    "backer_id",
    "made_by_id",
    "kind",
    "status",
    "amount_minor",
    "currency",
    "hours_hundredths",
    "active_vote_backer_id",
)


async def seed(db: Any, issue_count: int, rng: random.Random) -> int:
    """One community with issues, projects and pledges; returns the community's key."""
    region = await db.fetchval(
        "INSERT INTO region (name, created_at) VALUES ('Feed Oblast', now()) RETURNING id"
    )
    community = await db.fetchval(
        """INSERT INTO community (name, centre_latitude, centre_longitude, created_at, region_id)
           VALUES ('Feed hromada', 49.4444, 32.0598, now(), $1) RETURNING id""",
        region,
    )
    persons, organizations = await seed_actors(db, 300 + issue_count // 5, 20)
    issues = await seed_issues(db, community, persons, organizations, issue_count, rng)
    projects = await seed_projects(db, community, issues, persons, organizations, rng)
    await seed_pledges(db, projects, persons, organizations, rng)
    # What autovacuum does to a live database: statistics, visibility maps.
    for table in ("actor", "issue", "issue_sdg_goal", "issue_affected_group", "project"):
        await db.execute(f"VACUUM ANALYZE {table}")
    for table in ("project_issue", "project_partner", "pledge"):
        await db.execute(f"VACUUM ANALYZE {table}")
    return int(community)


async def seed_actors(db: Any, persons: int, per_sector: int) -> tuple[list[int], list[int]]:
    sectors = [None] * persons + [s.value for s in Sector for _ in range(per_sector)]
    names = [f"Resident {n}" for n in range(persons)]
    names += [f"{s.value.title()} organization {n}" for s in Sector for n in range(per_sector)]
    rows = await db.fetch(
        """INSERT INTO actor (kind, display_name, sector, description, created_at, updated_at)
           SELECT CASE WHEN sector IS NULL THEN 'PERSON' ELSE 'ORGANIZATION' END, name,
                  sector, '', now(), now()
           FROM unnest($1::text[], $2::text[]) AS seeded(name, sector) RETURNING id, sector""",
        names,
        sectors,
    )
    return [r["id"] for r in rows if r["sector"] is None], [r["id"] for r in rows if r["sector"]]


async def seed_issues(
    db: Any,
    community: int,
    persons: list[int],
    organizations: list[int],
    count: int,
    rng: random.Random,
) -> list[int]:
    """Issue n was defined n minutes ago; tags derive from the key, as in map_queries."""
    authors = [rng.choice(persons if rng.random() < 0.6 else organizations) for _ in range(count)]
    statuses = rng.choices(["OPEN", "ADDRESSED", "RESOLVED"], [60, 30, 10], k=count)
    rows = await db.fetch(
        """INSERT INTO issue (title, description, latitude, longitude, category, status,
                              created_at, updated_at, author_id, created_by_id, community_id)
           SELECT 'Issue ' || n, 'Seeded by bench/feed_query.py', 49.44, 32.06, 'HOUSING',
                  status, now() - n * interval '1 minute', now(), author, author, $3
           FROM unnest($1::int[], $2::text[]) WITH ORDINALITY AS seeded(author, status, n)
           ORDER BY n RETURNING id""",
        authors,
        statuses,
        community,
    )
    await db.execute(
        """INSERT INTO issue_sdg_goal (issue_id, goal)
           SELECT id, 1 + id * 7 % 17 FROM issue WHERE community_id = $1
           UNION ALL
           SELECT id, 1 + (id * 7 + 5) % 17 FROM issue WHERE community_id = $1 AND id % 3 = 0;
        """,
        community,
    )
    await db.execute(
        """INSERT INTO issue_affected_group (issue_id, "group")
           SELECT id, (ARRAY['LOW_INCOME','ELDERLY','PEOPLE_WITH_DISABILITIES',
                             'INTERNALLY_DISPLACED','VETERANS','CHILDREN_AND_YOUTH'])[1 + id % 6]
           FROM issue WHERE community_id = $1 AND id % 4 <> 0
           UNION ALL
           SELECT id, 'WOMEN' FROM issue WHERE community_id = $1 AND id % 5 = 0""",
        community,
    )
    return [row["id"] for row in rows]


async def seed_projects(
    db: Any,
    community: int,
    issues: list[int],
    persons: list[int],
    organizations: list[int],
    rng: random.Random,
) -> list[int]:
    """One project per two issues, addressing one or two; returns the non-draft ones."""
    count = len(issues) // 2
    leads = [rng.choice(organizations if rng.random() < 0.65 else persons) for _ in range(count)]
    statuses = rng.choices(
        ["PROPOSED", "PITCHED", "FUNDED", "IN_PROGRESS", "DRAFT"], [40, 20, 15, 15, 10], k=count
    )
    rows = await db.fetch(
        """INSERT INTO project (title, summary, requested_budget_minor, currency, status,
                                created_at, updated_at, community_id, created_by_id, lead_id)
           SELECT 'Project ' || n, 'Seeded', 100000 * n, 'UAH', status, now(), now(), $3,
                  lead, lead
           FROM unnest($1::int[], $2::text[]) WITH ORDINALITY AS seeded(lead, status, n)
           ORDER BY n RETURNING id""",
        leads,
        statuses,
        community,
    )
    projects = [row["id"] for row in rows]
    addressed = [(p, i) for p in projects for i in rng.sample(issues, rng.choice([1, 1, 2]))]
    partners = [(p, o) for p in projects for o in rng.sample(organizations, rng.randint(0, 3))]
    for table, column, pairs in (
        ("project_issue", "issue_id", addressed),
        ("project_partner", "organization_id", partners),
    ):
        await db.execute(
            f"INSERT INTO {table} (project_id, {column}) "
            "SELECT * FROM unnest($1::int[], $2::int[])",
            [p for p, _ in pairs],
            [other for _, other in pairs],
        )
    return [p for p, status in zip(projects, statuses, strict=True) if status != "DRAFT"]


async def seed_pledges(
    db: Any, projects: list[int], persons: list[int], organizations: list[int], rng: random.Random
) -> None:
    """3-60 backers per project, each with one or two pledges of different kinds."""
    columns: dict[str, list[Any]] = {name: [] for name in PLEDGE_COLUMNS}
    backers, people = persons + organizations, set(persons)
    for project in projects:
        for backer in rng.sample(backers, rng.randint(3, 60)):
            made_by = backer if backer in people else persons[0]  # a member acting for it
            kinds = rng.sample(["VOTE", "MONEY", "TIME", "IN_KIND"], rng.choice([1, 1, 1, 2]))
            for kind in kinds:
                for name, value in zip(
                    PLEDGE_COLUMNS, pledge_row(project, backer, made_by, kind, rng), strict=True
                ):
                    columns[name].append(value)
    await db.execute(
        f"""INSERT INTO pledge ({", ".join(PLEDGE_COLUMNS)}, description, created_at, updated_at)
            SELECT *, '', now(), now() FROM unnest($1::int[], $2::int[], $3::int[], $4::text[],
                $5::text[], $6::bigint[], $7::text[], $8::bigint[], $9::int[])""",
        *columns.values(),
    )


def pledge_row(
    project: int, backer: int, made_by: int, kind: str, rng: random.Random
) -> tuple[Any, ...]:
    status = rng.choices(["PLEDGED", "CONFIRMED", "FULFILLED", "WITHDRAWN"], [50, 30, 12, 8])[0]
    amount = currency = hours = None
    if kind == "MONEY" or (kind == "IN_KIND" and rng.random() < 0.5):
        amount = rng.randrange(100, 50_000) * 100 + rng.choice([0, 50])
        currency = rng.choices(["UAH", "EUR", "USD"], [80, 12, 8])[0]
    if kind == "TIME":
        hours = rng.randrange(2, 160) * 25
    active_vote = backer if kind == "VOTE" and status != "WITHDRAWN" else None
    return (project, backer, made_by, kind, status, amount, currency, hours, active_vote)
