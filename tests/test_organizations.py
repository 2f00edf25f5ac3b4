"""Organizations of the three sectors, their members, and communities opened by authorities."""

import pytest

from models import Community, Membership, MembershipRole, Sector
from resolvers.ids import to_global_id
from tests.factories import (
    gid,
    graphql,
    make_community,
    make_issue,
    make_organization,
    make_person,
    token_for,
)

CREATE_ORGANIZATION = """
mutation Create($input: CreateOrganizationInput!) {
  createOrganization(input: $input) {
    __typename
    ... on CreateOrganizationSuccess {
      organization { displayName sector description members { role person { id } } }
    }
    ... on Error { code field }
  }
}
"""

ADD_MEMBER = """
mutation Add($input: AddMemberInput!) {
  addMember(input: $input) {
    __typename
    ... on AddMemberSuccess {
      membership { role person { id } organization { id } }
    }
    ... on Error { code field }
    ... on ValidationError { problems { field code } }
  }
}
"""

CREATE_COMMUNITY = """
mutation Open($input: CreateCommunityInput!) {
  createCommunity(input: $input) {
    __typename
    ... on CreateCommunitySuccess {
      community {
        name population centre { latitude longitude } region { name }
        openedBy { id displayName sector }
      }
    }
    ... on Error { code field }
    ... on ValidationError { problems { field code } }
  }
}
"""


def community_input(authority_id, **overrides):
    values = {
        "name": "Smila",
        "regionName": "Cherkasy Oblast",
        "population": 67000,
        "centre": {"latitude": 49.22, "longitude": 31.88},
        "actingFor": authority_id,
    }
    values.update(overrides)
    return values


async def test_create_organization_makes_the_caller_its_admin(client):
    # given
    founder = await make_person()
    # when
    body = await graphql(
        client,
        CREATE_ORGANIZATION,
        {
            "input": {
                "displayName": "Smila Food Bank",
                "sector": "NONPROFIT",
                "description": "Food for families in need.",
            }
        },
        token=await token_for(founder),
    )
    # then
    assert body["data"]["createOrganization"] == {
        "__typename": "CreateOrganizationSuccess",
        "organization": {
            "displayName": "Smila Food Bank",
            "sector": "NONPROFIT",
            "description": "Food for families in need.",
            "members": [{"role": "ADMIN", "person": {"id": gid(founder)}}],
        },
    }


async def test_create_organization_requires_authentication(client):
    # when
    body = await graphql(
        client, CREATE_ORGANIZATION, {"input": {"displayName": "Ghost Ltd", "sector": "BUSINESS"}}
    )
    # then
    assert body["data"]["createOrganization"] == {
        "__typename": "PermissionDeniedError",
        "code": "AUTHENTICATION_REQUIRED",
        "field": None,
    }


async def test_an_admin_adds_a_member(client):
    # given
    admin, newcomer = await make_person(), await make_person()
    organization = await make_organization(Sector.NONPROFIT, admin=admin)
    # when
    body = await graphql(
        client,
        ADD_MEMBER,
        {"input": {"organizationId": gid(organization), "personId": gid(newcomer)}},
        token=await token_for(admin),
    )
    # then
    assert body["data"]["addMember"] == {
        "__typename": "AddMemberSuccess",
        "membership": {
            "role": "MEMBER",
            "person": {"id": gid(newcomer)},
            "organization": {"id": gid(organization)},
        },
    }
    roles = (
        await Membership.filter(organization=organization)
        .order_by("id")
        .values_list("person_id", "role")
    )
    assert [(person_id, str(role)) for person_id, role in roles] == [
        (admin.pk, "ADMIN"),
        (newcomer.pk, "MEMBER"),
    ]


async def test_a_plain_member_cannot_add_members(client):
    # given
    admin, member, newcomer = await make_person(), await make_person(), await make_person()
    organization = await make_organization(Sector.BUSINESS, admin=admin)
    await Membership.create(organization=organization, person=member, role=MembershipRole.MEMBER)
    # when
    body = await graphql(
        client,
        ADD_MEMBER,
        {"input": {"organizationId": gid(organization), "personId": gid(newcomer)}},
        token=await token_for(member),
    )
    # then
    assert body["data"]["addMember"] == {
        "__typename": "PermissionDeniedError",
        "code": "ADMIN_REQUIRED",
        "field": "organizationId",
    }
    assert await Membership.filter(organization=organization).count() == 2


async def test_a_non_member_cannot_add_members(client):
    # given
    organization = await make_organization(Sector.NONPROFIT, admin=await make_person())
    outsider, newcomer = await make_person(), await make_person()
    # when
    body = await graphql(
        client,
        ADD_MEMBER,
        {"input": {"organizationId": gid(organization), "personId": gid(newcomer)}},
        token=await token_for(outsider),
    )
    # then
    assert body["data"]["addMember"] == {
        "__typename": "PermissionDeniedError",
        "code": "NOT_A_MEMBER",
        "field": "organizationId",
    }
    assert await Membership.filter(organization=organization).count() == 1


async def test_adding_the_same_person_twice_is_a_conflict(client):
    # given
    admin, newcomer = await make_person(), await make_person()
    organization = await make_organization(Sector.NONPROFIT, admin=admin)
    token = await token_for(admin)
    variables = {"input": {"organizationId": gid(organization), "personId": gid(newcomer)}}
    await graphql(client, ADD_MEMBER, variables, token=token)
    # when
    body = await graphql(client, ADD_MEMBER, variables, token=token)
    # then
    assert body["data"]["addMember"] == {
        "__typename": "ConflictError",
        "code": "ALREADY_EXISTS",
        "field": "personId",
    }
    assert await Membership.filter(organization=organization).count() == 2


async def test_adding_an_issue_as_a_member_is_a_wrong_id_type(client):
    # given
    admin = await make_person()
    organization = await make_organization(Sector.NONPROFIT, admin=admin)
    issue = await make_issue(await make_community(), admin)
    # when
    body = await graphql(
        client,
        ADD_MEMBER,
        {"input": {"organizationId": gid(organization), "personId": gid(issue)}},
        token=await token_for(admin),
    )
    # then
    assert body["data"]["addMember"] == {
        "__typename": "ValidationError",
        "code": "WRONG_ID_TYPE",
        "field": "personId",
        "problems": [{"field": "personId", "code": "WRONG_ID_TYPE"}],
    }


@pytest.mark.parametrize("garbled_field", ["organizationId", "personId"])
async def test_a_garbage_id_is_an_invalid_id(client, garbled_field):
    # given
    admin, newcomer = await make_person(), await make_person()
    organization = await make_organization(Sector.NONPROFIT, admin=admin)
    values = {"organizationId": gid(organization), "personId": gid(newcomer)}
    values[garbled_field] = "%%% not an id %%%"
    # when
    body = await graphql(client, ADD_MEMBER, {"input": values}, token=await token_for(admin))
    # then
    assert body["data"]["addMember"] == {
        "__typename": "ValidationError",
        "code": "INVALID_ID",
        "field": garbled_field,
        "problems": [{"field": garbled_field, "code": "INVALID_ID"}],
    }


async def test_adding_a_person_who_does_not_exist_is_not_found(client):
    # given
    admin = await make_person()
    organization = await make_organization(Sector.NONPROFIT, admin=admin)
    # when
    body = await graphql(
        client,
        ADD_MEMBER,
        {
            "input": {
                "organizationId": gid(organization),
                "personId": to_global_id("Person", 987654),
            }
        },
        token=await token_for(admin),
    )
    # then
    assert body["data"]["addMember"] == {
        "__typename": "NotFoundError",
        "code": "NOT_FOUND",
        "field": "personId",
    }


async def test_a_nonprofit_cannot_open_a_community(client):
    # given
    admin = await make_person()
    nonprofit = await make_organization(Sector.NONPROFIT, admin=admin)
    # when
    body = await graphql(
        client,
        CREATE_COMMUNITY,
        {"input": community_input(gid(nonprofit))},
        token=await token_for(admin),
    )
    # then
    assert body["data"]["createCommunity"] == {
        "__typename": "PermissionDeniedError",
        "code": "WRONG_SECTOR",
        "field": "actingFor",
    }
    assert await Community.all().count() == 0


async def test_a_local_authority_opens_a_community(client):
    # given
    admin = await make_person()
    authority = await make_organization(Sector.PUBLIC, admin=admin, name="Smila City Council")
    # when
    body = await graphql(
        client,
        CREATE_COMMUNITY,
        {"input": community_input(gid(authority))},
        token=await token_for(admin),
    )
    # then
    assert body["data"]["createCommunity"] == {
        "__typename": "CreateCommunitySuccess",
        "community": {
            "name": "Smila",
            "population": 67000,
            "centre": {"latitude": 49.22, "longitude": 31.88},
            "region": {"name": "Cherkasy Oblast"},
            "openedBy": {
                "id": gid(authority),
                "displayName": "Smila City Council",
                "sector": "PUBLIC",
            },
        },
    }


async def test_a_second_community_of_the_same_name_in_a_region_is_a_conflict(client):
    # given
    admin = await make_person()
    authority = await make_organization(Sector.PUBLIC, admin=admin)
    token = await token_for(admin)
    await graphql(client, CREATE_COMMUNITY, {"input": community_input(gid(authority))}, token=token)
    # when
    body = await graphql(
        client, CREATE_COMMUNITY, {"input": community_input(gid(authority))}, token=token
    )
    # then
    assert body["data"]["createCommunity"] == {
        "__typename": "ConflictError",
        "code": "ALREADY_EXISTS",
        "field": "name",
    }
    assert await Community.all().count() == 1


async def test_a_latitude_beyond_the_pole_is_out_of_range(client):
    # given
    admin = await make_person()
    authority = await make_organization(Sector.PUBLIC, admin=admin)
    # when
    body = await graphql(
        client,
        CREATE_COMMUNITY,
        {"input": community_input(gid(authority), centre={"latitude": 91, "longitude": 31.88})},
        token=await token_for(admin),
    )
    # then
    assert body["data"]["createCommunity"] == {
        "__typename": "ValidationError",
        "code": "OUT_OF_RANGE",
        "field": "centre.latitude",
        "problems": [{"field": "centre.latitude", "code": "OUT_OF_RANGE"}],
    }
    assert await Community.all().count() == 0


async def test_organizations_filter_by_sector(client):
    # given
    await make_organization(Sector.PUBLIC, name="Smila City Council")
    await make_organization(Sector.NONPROFIT, name="Smila Food Bank")
    await make_organization(Sector.PUBLIC, name="Cherkasy Regional Administration")
    await make_organization(Sector.BUSINESS, name="Dnipro Bakery")
    # when
    body = await graphql(
        client,
        "{ organizations(sector: PUBLIC) { totalCount nodes { displayName sector } } }",
    )
    # then: by name
    assert body["data"]["organizations"] == {
        "totalCount": 2,
        "nodes": [
            {"displayName": "Cherkasy Regional Administration", "sector": "PUBLIC"},
            {"displayName": "Smila City Council", "sector": "PUBLIC"},
        ],
    }


async def test_a_persons_memberships_and_an_organizations_members_are_the_same_rows(client):
    # given a person who is admin of one organization and member of another
    person, other = await make_person(), await make_person()
    council = await make_organization(Sector.PUBLIC, admin=person)
    ngo = await make_organization(Sector.NONPROFIT, admin=other)
    await Membership.create(organization=ngo, person=person, role=MembershipRole.MEMBER)
    query = """
    query($person: ID!, $ngo: ID!) {
      person: node(id: $person) {
        ... on Person { memberships { role organization { id } person { id } } }
      }
      ngo: node(id: $ngo) {
        ... on Organization { members { role organization { id } person { id } } }
      }
    }"""
    # when both sides are read
    body = await graphql(client, query, {"person": gid(person), "ngo": gid(ngo)})
    # then the person's list holds both, oldest first, and the NGO's holds both its members
    assert body["data"]["person"]["memberships"] == [
        {"role": "ADMIN", "organization": {"id": gid(council)}, "person": {"id": gid(person)}},
        {"role": "MEMBER", "organization": {"id": gid(ngo)}, "person": {"id": gid(person)}},
    ]
    assert body["data"]["ngo"]["members"] == [
        {"role": "ADMIN", "organization": {"id": gid(ngo)}, "person": {"id": gid(other)}},
        {"role": "MEMBER", "organization": {"id": gid(ngo)}, "person": {"id": gid(person)}},
    ]
