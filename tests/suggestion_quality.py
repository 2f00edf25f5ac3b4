# ruff: noqa: E501, RUF001  (a data table: one case per line; Ukrainian text is meant)
"""A labelled set for measuring duplicate suggestions, shared by the test and the bench.

A community of 45 existing issues around Smila (English and Ukrainian titles, twelve
categories, spread over ~8 km, three of them RESOLVED or DUPLICATE and so never to be
suggested) and 41 new reports a resident might type, each labelled with the existing
issues it truly duplicates: paraphrases, typos, another category, pinned far away (issues
of a whole village), given without a location or category, a vague title explained in
the description, an English report of a Ukrainian issue next to it, and reports that
duplicate nothing (some of them next to a different issue of the same category).
"""

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from models import Actor, ActorKind, Community, IssueCategory, IssueStatus
from resolvers.issue import Location
from resolvers.suggestions import similar_issues
from tests.factories import gid, make_community, make_issue

CENTRE = Location(latitude=49.2222, longitude=31.8870)
C = IssueCategory


def offset(east_meters: float, north_meters: float) -> Location:
    """A point that many metres east and north of the community's centre."""
    latitude = CENTRE.latitude + north_meters / 111_195
    longitude = CENTRE.longitude + east_meters / (111_195 * math.cos(math.radians(latitude)))
    return Location(latitude=latitude, longitude=longitude)


@dataclass(frozen=True)
class Existing:
    key: str
    title: str
    category: IssueCategory
    east: float
    north: float
    status: IssueStatus = IssueStatus.OPEN
    duplicate_of: str | None = None


@dataclass(frozen=True)
class Report:
    title: str
    category: IssueCategory | None
    at: tuple[float, float] | None
    duplicates: frozenset[str]
    description: str | None = None


def report(
    title: str,
    category: IssueCategory | None,
    at: tuple[float, float] | None,
    *duplicates: str,
    description: str | None = None,
) -> Report:
    return Report(title, category, at, frozenset(duplicates), description)


EXISTING = [
    Existing("lamps_shevchenka", "Broken street lamps on Shevchenka Street", C.INFRASTRUCTURE, 0, 300),
    Existing("pothole_soborna", "Deep pothole on Sobornosti Street near the bus stop", C.TRANSPORT, -200, 100),
    Existing("bins_park", "Overflowing rubbish bins in the central park", C.ENVIRONMENT, 150, -100),
    Existing("ramp_clinic", "No wheelchair ramp at the outpatient clinic", C.HEALTH, 400, 400),
    Existing("bus_village", "No bus connection between Ploske village and the town", C.TRANSPORT, 4000, -3000),
    Existing("playground_school3", "Unsafe playground equipment at school No. 3", C.SAFETY, -800, 600),
    Existing("flooded_underpass", "Flooded underpass at the railway station after rain", C.INFRASTRUCTURE, 1200, -500),
    Existing("stray_dogs_market", "Stray dog packs near the market", C.SAFETY, -300, -700),
    Existing("heating_dorm", "No heating in the dormitory for displaced families", C.HOUSING, 900, 900),
    Existing("crossing_lyceum", "Pedestrian crossing without traffic lights by the lyceum", C.SAFETY, -1000, -200),
    Existing("library_hours", "Library closes too early for working adults", C.CULTURE_AND_SPORT, 100, 50),
    Existing("water_pressure", "Low water pressure in the apartment blocks on Lesi Ukrainky", C.INFRASTRUCTURE, -1500, 1200),
    Existing("illegal_dump_forest", "Illegal garbage dump at the forest edge", C.ENVIRONMENT, 2500, 2000),
    Existing("sidewalk_ice", "Sidewalks are not cleared of ice in winter on Kyivska Street", C.INFRASTRUCTURE, 600, -900),
    Existing("pharmacy_night", "No night pharmacy in the community", C.HEALTH, 50, -50),
    Existing("job_center", "Job centre does not offer retraining for veterans", C.ECONOMY, 300, 150),
    Existing("uk_lamps_hrushevskoho", "Не працює вуличне освітлення на вулиці Грушевського", C.INFRASTRUCTURE, -600, -400),
    Existing("uk_pothole_mazepy", "Глибока вибоїна на дорозі по вулиці Мазепи", C.TRANSPORT, 700, 300),
    Existing("uk_bins_market", "Переповнені сміттєві баки біля ринку", C.ENVIRONMENT, -320, -680),
    Existing("uk_ramp_post", "Немає пандуса біля відділення пошти", C.INFRASTRUCTURE, 200, 250),
    Existing("uk_bus_shelter", "Зруйнована зупинка громадського транспорту на Черкаській", C.TRANSPORT, -1200, 800),
    Existing("uk_kindergarten", "Не вистачає місць у дитячому садку", C.EDUCATION, 500, -300),
    Existing("uk_roof_school", "Протікає дах у школі №5", C.EDUCATION, 1500, 300),
    Existing("uk_dogs_park", "Безпритульні собаки в парку Шевченка", C.SAFETY, 0, 350),
    Existing("uk_ambulance", "Швидка допомога довго їде до сіл громади", C.HEALTH, 3000, 3000),
    Existing("uk_social_taxi", "Немає соціального таксі для людей похилого віку", C.SOCIAL_SERVICES, 0, 0),
    Existing("uk_rusty_water", "Іржава вода з крана на вулиці Незалежності", C.INFRASTRUCTURE, -900, -1100),
    Existing("uk_trees", "Аварійні дерева над дитячим майданчиком", C.SAFETY, 800, -600),
    Existing("uk_noise_club", "Шум від нічного клубу після опівночі", C.OTHER, 250, 500),
    Existing("uk_stadium", "Занедбаний стадіон на Соборній", C.CULTURE_AND_SPORT, -250, 150),
    Existing("uk_internet_village", "Відсутній інтернет у селі Плоске", C.INFRASTRUCTURE, 4200, -2800),
    Existing("uk_shelter_school2", "Укриття у школі №2 замкнене під час тривоги", C.SAFETY, -700, 900),
    Existing("pothole_kyivska", "Potholes on Kyivska Street", C.TRANSPORT, 650, -850),
    Existing("lamps_park", "Street lights not working in the central park", C.INFRASTRUCTURE, 140, -120),
    Existing("graffiti_station", "Graffiti on the railway station walls", C.OTHER, 1250, -450),
    Existing("benches_square", "Broken benches on the main square", C.INFRASTRUCTURE, 20, 20),
    Existing("parking_hospital", "Not enough parking at the hospital", C.TRANSPORT, 1800, 1500),
    Existing("youth_centre", "No youth centre for teenagers", C.CULTURE_AND_SPORT, -100, -100),
    Existing("recycling", "No separate collection of plastic for recycling", C.ENVIRONMENT, 0, 0),
    Existing("footbridge", "The footbridge over the Tiasmyn river is rotting", C.INFRASTRUCTURE, -2000, -1500),
    Existing("uk_lamps_soborna", "Не світять ліхтарі на Соборній", C.INFRASTRUCTURE, -220, 120),
    Existing("uk_pits_shevchenka", "Ями на дорозі по вулиці Шевченка", C.TRANSPORT, 30, 280),
    Existing("resolved_lamps_square", "Broken street lamps on the main square", C.INFRASTRUCTURE, 25, 15, IssueStatus.RESOLVED),
    Existing("duplicate_bins", "Rubbish bins overflowing in central park", C.ENVIRONMENT, 155, -95, IssueStatus.DUPLICATE, "bins_park"),
    Existing("resolved_uk_ramp", "Немає пандуса в амбулаторії", C.HEALTH, 410, 390, IssueStatus.RESOLVED),
]  # fmt: skip

REPORTS = [
    # paraphrases and typos, next to the original
    report("Street lights out on Shevchenka St", C.INFRASTRUCTURE, (10, 310), "lamps_shevchenka"),
    report("Deep pot hole on Sobornosti Stret", C.TRANSPORT, (-190, 110), "pothole_soborna"),
    report("Rubbish bins in the central park are overflowing", C.ENVIRONMENT, (160, -90), "bins_park"),
    report("Railway station underpass floods every time it rains", C.INFRASTRUCTURE, (1190, -510), "flooded_underpass"),
    report("Ilegal garbage dump at forrest edge", C.ENVIRONMENT, (2490, 2010), "illegal_dump_forest"),
    report("Low water presure in apartment buildings on Lesi Ukrainky St", C.INFRASTRUCTURE, (-1490, 1190), "water_pressure"),
    report("Ice on Kyivska Street sidewalks is never cleared", C.INFRASTRUCTURE, (610, -890), "sidewalk_ice"),
    report("Graffiti all over the walls of the railway station", C.OTHER, (1260, -440), "graffiti_station"),
    report("Footbridge across Tiasmyn is rotten and dangerous", C.INFRASTRUCTURE, (-2010, -1490), "footbridge"),
    report("Teenagers have nowhere to go: need a youth centre", C.CULTURE_AND_SPORT, (-90, -110), "youth_centre"),
    report("Street lights in central park do not work", C.INFRASTRUCTURE, (130, -110), "lamps_park"),
    report("Stray dogs near the market attack people", C.SAFETY, (-310, -690), "stray_dogs_market"),
    # Ukrainian paraphrases and typos
    report("Не горять ліхтарі на вулиці Грушевського", C.INFRASTRUCTURE, (-610, -390), "uk_lamps_hrushevskoho"),
    report("Глибока вибоїна на дорзі вул. Мазепи", C.TRANSPORT, (690, 310), "uk_pothole_mazepy"),
    report("Переповнені баки для сміття біля ринку", C.ENVIRONMENT, (-310, -690), "uk_bins_market"),
    report("Дах школи №5 протікає", C.EDUCATION, (1490, 310), "uk_roof_school"),
    report("Зграї безпритульних собак у парку Шевченка", C.SAFETY, (10, 340), "uk_dogs_park"),
    report("Іржава вода з-під крана на Незалежності", C.INFRASTRUCTURE, (-910, -1090), "uk_rusty_water"),
    report("Небезпечні старі дерева над дитячим майданчиком", C.SAFETY, (790, -610), "uk_trees"),
    report("Укриття в школі №2 зачинене під час повітряної тривоги", C.SAFETY, (-690, 910), "uk_shelter_school2"),
    report("Темно на Соборній, ліхтарі не працюють", C.INFRASTRUCTURE, (-215, 115), "uk_lamps_soborna"),
    report("Соціальне таксі для літніх людей", C.SOCIAL_SERVICES, (10, 10), "uk_social_taxi"),
    report("Зупинка транспорту на Черкаській зруйнована", C.TRANSPORT, (-1190, 790), "uk_bus_shelter"),
    # another category than the original
    report("Wheelchair users cannot enter the clinic, there is no ramp", C.SOCIAL_SERVICES, (395, 405), "ramp_clinic"),
    report("Пандус біля пошти відсутній", C.SOCIAL_SERVICES, (210, 240), "uk_ramp_post"),
    report("Veterans need retraining at the job centre", C.SOCIAL_SERVICES, (310, 140), "job_center"),
    # pinned far from the original (issues of a whole village or the whole community)
    report("Bus connection to Ploske village is missing", C.TRANSPORT, (0, 0), "bus_village"),
    report("Швидка допомога довго їде до сіл", C.HEALTH, (-200, 0), "uk_ambulance"),
    report("Unsafe playground equipment at school 3", C.EDUCATION, (-2000, 0), "playground_school3"),
    # no location, no category, or neither
    report("No night-time pharmacy", C.HEALTH, None, "pharmacy_night"),
    report("No heating in dormitory for displaced people", None, (905, 890), "heating_dorm"),
    report("Crossing by the lyceum needs traffic lights", None, None, "crossing_lyceum"),
    report("Немає інтернету в селі Плоске", None, None, "uk_internet_village"),
    report("Separate collection of plastic for recycling", C.ENVIRONMENT, None, "recycling"),
    # a vague title explained in the description
    report(
        "Problem near my house",
        C.INFRASTRUCTURE,
        (5, 290),
        "lamps_shevchenka",
        description="The street lamps on Shevchenka Street have been broken for a month.",
    ),
    # an English report of a Ukrainian issue, pinned next to it
    report("Deep hole in the road on Mazepy street", C.TRANSPORT, (705, 295), "uk_pothole_mazepy"),
    # other words for the same thing
    report("Loud music from the night club keeps us awake", C.OTHER, (270, 480), "uk_noise_club"),
    report("Гучна музика з нічного клубу вночі", None, (240, 510), "uk_noise_club"),
    report("Pharmacies are all closed at night", C.HEALTH, None, "pharmacy_night"),
    report("Kids' climbing frame at the third school is dangerous", C.SAFETY, None, "playground_school3"),
    report("Bus stop destroyed on Cherkaska street", C.TRANSPORT, (-1210, 805), "uk_bus_shelter"),
    # reports that duplicate nothing
    report("Broken swing in the kindergarten yard", C.EDUCATION, (510, -310)),
    report("We need more bicycle lanes", C.TRANSPORT, (0, 0)),
    report("Potholes on Chyhyrynska Street", C.TRANSPORT, (-2500, 1000)),
    report("Нова спортивна секція для дітей", C.CULTURE_AND_SPORT, (0, 0)),
    report("Broken fence around the stadium", C.SAFETY, (-240, 140)),
]  # fmt: skip


@dataclass
class LabelledCommunity:
    community: Community
    ids: dict[str, int]  # existing issue key -> primary key
    author: Actor


async def seed_labelled_community(name: str | None = None) -> LabelledCommunity:
    community = await make_community(name)
    # Its own e-mail, so the set can be seeded into a database that already has people.
    author = await Actor.create(
        kind=ActorKind.PERSON,
        display_name="Author of the labelled set",
        email=f"labelled-{uuid.uuid4().hex}@example.org",
    )
    ids: dict[str, int] = {}
    for existing in EXISTING:
        point = offset(existing.east, existing.north)
        issue = await make_issue(
            community,
            author,
            title=existing.title,
            category=existing.category,
            latitude=point.latitude,
            longitude=point.longitude,
            status=existing.status,
            duplicate_of_id=ids[existing.duplicate_of] if existing.duplicate_of else None,
        )
        ids[existing.key] = issue.pk
    return LabelledCommunity(community, ids, author)


@dataclass
class Outcome:
    report: Report
    suggested: list[str]  # keys of the suggested issues, best first

    def hits(self, k: int) -> int:
        return len(self.report.duplicates.intersection(self.suggested[:k]))


@dataclass
class QualityFigures:
    outcomes: list[Outcome] = field(default_factory=list)

    def precision(self, k: int) -> float:
        """Share of the suggestions shown (at most k per report) that are true duplicates."""
        shown = sum(min(k, len(o.suggested)) for o in self.outcomes)
        return sum(o.hits(k) for o in self.outcomes) / shown if shown else 1.0

    def recall(self, k: int) -> float:
        """Share of the true duplicates that are among the first k suggestions."""
        wanted = sum(len(o.report.duplicates) for o in self.outcomes)
        return sum(o.hits(k) for o in self.outcomes) / wanted

    def silent_on_new_issues(self) -> float:
        """Share of reports duplicating nothing that got no suggestion at all."""
        new = [o for o in self.outcomes if not o.report.duplicates]
        return sum(not o.suggested for o in new) / len(new)

    def summary(self) -> str:
        return (
            f"reports={len(self.outcomes)} existing={len(EXISTING)} "
            f"precision@1={self.precision(1):.2f} recall@1={self.recall(1):.2f} "
            f"precision@5={self.precision(5):.2f} recall@5={self.recall(5):.2f} "
            f"silent-on-new={self.silent_on_new_issues():.2f}"
        )

    def misses(self) -> list[str]:
        """Reports whose first suggestion is wrong or whose duplicate was not found."""
        return [
            f"{o.report.title!r}: wanted {sorted(o.report.duplicates)}, got {o.suggested}"
            for o in self.outcomes
            if (o.suggested[:1] and o.hits(1) == 0) or o.hits(5) < len(o.report.duplicates)
        ]


async def measure_quality(
    labelled: LabelledCommunity, reports: Sequence[Report] = REPORTS, k: int = 5
) -> QualityFigures:
    keys = {pk: key for key, pk in labelled.ids.items()}
    figures = QualityFigures()
    for item in reports:
        suggestions = await similar_issues(
            community_id=gid(labelled.community),
            title=item.title,
            description=item.description,
            location=offset(*item.at) if item.at else None,
            category=item.category,
            first=k,
        )
        suggested = [keys.get(s.issue.pk, f"unlabelled #{s.issue.pk}") for s in suggestions]
        figures.outcomes.append(Outcome(item, suggested))
    return figures
