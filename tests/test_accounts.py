"""Accounts: registering, signing in and out, and what a bearer token unlocks.

Registration hashes with argon2 (slow on purpose), so only two tests here register for real;
the rest sign in people the factories made with a precomputed hash.
"""

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

from models import Actor, AuthToken
from resolvers.person import issue_token
from tests.factories import PASSWORD, gid, graphql, make_person, token_for

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    __typename
    ... on RegisterSuccess { email message }
    ... on Error { code field message }
    ... on ValidationError { problems { field code } }
  }
}
"""

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on AuthSuccess { token person { id displayName email } }
    ... on ThrottledError { retryAfterSeconds }
    ... on Error { code field message }
    ... on ValidationError { problems { field code } }
  }
}
"""

LOGOUT = """
mutation Logout($allSessions: Boolean!) {
  logout(input: {allSessions: $allSessions}) {
    __typename
    ... on LogoutSuccess { revokedTokens }
    ... on Error { code field }
  }
}
"""

VIEWER = "{ viewer { id displayName email } }"


def email_of(person: Actor) -> str:
    assert person.email is not None  # factories give every person an email
    return person.email


async def viewer_with(client, token):
    body = await graphql(client, VIEWER, token=token)
    return body["data"]["viewer"]


async def test_register_creates_an_account_to_sign_in_with(client):
    # given
    registration = {
        "displayName": "  Olena Kovalenko ",
        "email": "Olena.Kovalenko@Example.org",
        "password": "sunflower fields 2024",
    }
    # when she registers, then signs in
    body = await graphql(client, REGISTER, {"input": registration})
    login = await graphql(
        client,
        LOGIN,
        {"input": {"email": "olena.kovalenko@example.org", "password": "sunflower fields 2024"}},
    )
    # then registering said what to do next, and signing in gave a working token
    assert body["data"]["register"]["__typename"] == "RegisterSuccess"
    assert body["data"]["register"]["email"] == "olena.kovalenko@example.org"
    token = login["data"]["login"]["token"]
    assert await viewer_with(client, token) == {
        "id": login["data"]["login"]["person"]["id"],
        "displayName": "Olena Kovalenko",
        "email": "olena.kovalenko@example.org",
    }


async def test_register_does_not_tell_whether_an_email_has_an_account(client):
    # given an account, and an email nobody has
    existing = await make_person("Taras")
    password_before = existing.password_hash

    async def register(email: str) -> Any:
        body = await graphql(
            client,
            REGISTER,
            {"input": {"displayName": "Someone", "email": email, "password": "long password 1"}},
        )
        answer = body["data"]["register"]
        answer["email"] = "<the email>"  # echoed back as given: the rest must be the same
        return answer

    # when both are registered (the taken one differently capitalised)
    taken = await register(email_of(existing).upper())
    fresh = await register("someone.new@example.org")
    # then the answers are the same, and the existing account was not touched
    assert taken == fresh
    assert taken["__typename"] == "RegisterSuccess"
    await existing.refresh_from_db()
    assert (existing.display_name, existing.password_hash) == ("Taras", password_before)
    assert await Actor.filter(email="someone.new@example.org").count() == 1


async def test_wrong_passwords_make_the_next_attempts_wait_even_when_sent_at_once(client):
    # given an account, and 32 wrong passwords sent at the same moment
    person = await make_person()
    wrong = {"input": {"email": email_of(person), "password": "not the password"}}
    # when they all arrive at once
    answers = await asyncio.gather(*(graphql(client, LOGIN, wrong) for _ in range(32)))
    # then only the first 5 were checked: each attempt is counted as it is let through, so
    # none slipped in before the others' failures were recorded; the rest must wait
    results = [answer["data"]["login"] for answer in answers]
    assert Counter(result["code"] for result in results) == {
        "INVALID_CREDENTIALS": 5,
        "THROTTLED": 27,
    }
    throttled = [result for result in results if result["code"] == "THROTTLED"]
    assert {result["__typename"] for result in throttled} == {"ThrottledError"}
    assert all(result["retryAfterSeconds"] >= 1 for result in throttled)
    assert await AuthToken.all().count() == 0


async def test_aliased_logins_in_one_request_are_refused_before_any_is_tried(client):
    # given 30 guesses as aliases of one request
    person = await make_person()
    guesses = " ".join(
        f'g{n}: login(input: {{email: "{person.email}", password: "guess {n}"}}) {{ __typename }}'
        for n in range(30)
    )
    # when it is sent
    body = await graphql(client, f"mutation {{ {guesses} }}")
    # then it is refused whole, saying the limit, and no guess was checked
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "MUTATION_LIMIT_EXCEEDED", "mutations": 30, "limit": 5}
    right = await graphql(
        client, LOGIN, {"input": {"email": email_of(person), "password": PASSWORD}}
    )
    assert right["data"]["login"]["__typename"] == "AuthSuccess"


async def test_register_reports_every_invalid_field_at_once(client):
    # given
    registration = {"displayName": "   ", "email": "not-an-email", "password": "short"}
    # when
    body = await graphql(client, REGISTER, {"input": registration})
    # then
    result = body["data"]["register"]
    assert result["__typename"] == "ValidationError"
    assert (result["code"], result["field"]) == ("REQUIRED", "displayName")
    assert result["problems"] == [
        {"field": "displayName", "code": "REQUIRED"},
        {"field": "email", "code": "INVALID_EMAIL"},
        {"field": "password", "code": "WEAK_PASSWORD"},
    ]
    assert await Actor.all().count() == 0


async def test_login_with_the_right_password_returns_a_working_token(client):
    # given
    person = await make_person("Iryna")
    # when: the email is matched case-insensitively
    body = await graphql(
        client, LOGIN, {"input": {"email": email_of(person).upper(), "password": PASSWORD}}
    )
    # then
    result = body["data"]["login"]
    assert result["__typename"] == "AuthSuccess"
    assert result["person"] == {"id": gid(person), "displayName": "Iryna", "email": person.email}
    assert await viewer_with(client, result["token"]) == {
        "id": gid(person),
        "displayName": "Iryna",
        "email": person.email,
    }


async def test_wrong_password_and_unknown_email_fail_alike(client):
    # given
    person = await make_person()
    # when
    wrong_password = await graphql(
        client, LOGIN, {"input": {"email": person.email, "password": PASSWORD + "!"}}
    )
    unknown_email = await graphql(
        client, LOGIN, {"input": {"email": "nobody@example.org", "password": PASSWORD}}
    )
    # then: nothing tells an attacker which of the two was wrong
    first = wrong_password["data"]["login"]
    second = unknown_email["data"]["login"]
    assert first == second
    assert first == {
        "__typename": "ValidationError",
        "code": "INVALID_CREDENTIALS",
        "field": "password",
        "message": "Email or password is wrong.",
        "problems": [{"field": "password", "code": "INVALID_CREDENTIALS"}],
    }
    assert await AuthToken.all().count() == 0


async def test_logout_revokes_the_current_token_only(client):
    # given: one person signed in on two devices
    person = await make_person()
    phone, laptop = await token_for(person), await token_for(person)
    # when
    body = await graphql(client, LOGOUT, {"allSessions": False}, token=phone)
    # then
    assert body["data"]["logout"] == {"__typename": "LogoutSuccess", "revokedTokens": 1}
    assert await viewer_with(client, phone) is None
    assert (await viewer_with(client, laptop))["id"] == gid(person)


async def test_logout_of_all_sessions_revokes_every_token(client):
    # given
    person = await make_person()
    phone, laptop = await token_for(person), await token_for(person)
    other_person_token = await token_for(await make_person())
    # when
    body = await graphql(client, LOGOUT, {"allSessions": True}, token=phone)
    # then
    assert body["data"]["logout"] == {"__typename": "LogoutSuccess", "revokedTokens": 2}
    assert await viewer_with(client, phone) is None
    assert await viewer_with(client, laptop) is None
    assert await viewer_with(client, other_person_token) is not None


async def test_logout_without_a_token_requires_authentication(client):
    # when
    body = await graphql(client, LOGOUT, {"allSessions": False})
    # then
    assert body["data"]["logout"] == {
        "__typename": "PermissionDeniedError",
        "code": "AUTHENTICATION_REQUIRED",
        "field": None,
    }


async def test_a_revoked_token_cannot_log_out_again(client):
    # given
    token = await token_for(await make_person())
    await graphql(client, LOGOUT, {"allSessions": False}, token=token)
    # when
    body = await graphql(client, LOGOUT, {"allSessions": False}, token=token)
    # then
    assert body["data"]["logout"]["code"] == "AUTHENTICATION_REQUIRED"


async def test_expired_and_unknown_tokens_make_an_anonymous_viewer(client):
    # given
    person = await make_person()
    expired = await issue_token(person, lifetime=timedelta(seconds=-1))
    # then
    assert await viewer_with(client, expired) is None
    assert await viewer_with(client, "not-a-token-we-issued") is None


async def test_an_email_is_visible_only_to_its_owner(client):
    # given
    owner, neighbour = await make_person(), await make_person()
    query = "query Email($id: ID!) { node(id: $id) { ... on Person { email } } }"
    variables = {"id": gid(owner)}
    # when
    for_owner = await graphql(client, query, variables, token=await token_for(owner))
    for_neighbour = await graphql(client, query, variables, token=await token_for(neighbour))
    for_anonymous = await graphql(client, query, variables)
    # then
    assert for_owner["data"]["node"] == {"email": owner.email}
    assert for_neighbour["data"]["node"] == {"email": None}
    assert for_anonymous["data"]["node"] == {"email": None}
