"""The audience pages as HTTP resources: found by code, escaped, canonical URLs, QR code, 404."""

import re

from tests.live_event_stage import start_live_event
from web.pages.qr import qr_code_svg

HOSTILE_TITLE = 'Pitch <night> & "more"'


async def test_the_audience_page_carries_the_event_and_escapes_its_title(client):
    # given
    stage = await start_live_event(client, title=HOSTILE_TITLE)
    # when
    response = await client.get(f"/e/{stage.join_code}")
    # then
    assert response.status_code == 200
    body = response.text
    assert "<title>Pitch &lt;night&gt; &amp; &quot;more&quot;</title>" in body
    assert HOSTILE_TITLE not in body
    assert f'data-event-id="{stage.event_id}"' in body
    assert f'data-join-code="{stage.join_code}"' in body
    assert re.findall(r'<script defer src="/static/([a-z-]+\.js)\?v=[0-9a-f]{12}">', body) == [
        "live.js",
        "event-view.js",
        "audience.js",
    ]
    assert "script-src 'self'" in response.headers["content-security-policy"]


async def test_a_code_typed_loosely_redirects_to_the_canonical_page(client):
    # given
    stage = await start_live_event(client)
    loose = f"{stage.join_code[:3].lower()}-{stage.join_code[3:].lower()}"
    # when
    audience = await client.get(f"/e/{loose}")
    screen = await client.get(f"/e/{loose}/screen")
    # then
    assert (audience.status_code, audience.headers["location"]) == (
        302,
        f"http://hub.test/e/{stage.join_code}",
    )
    assert (screen.status_code, screen.headers["location"]) == (
        302,
        f"http://hub.test/e/{stage.join_code}/screen",
    )


async def test_the_screen_shows_a_qr_code_of_the_absolute_join_link(client):
    # given
    stage = await start_live_event(client)
    join_url = f"http://hub.test/e/{stage.join_code}"
    # when
    response = await client.get(f"/e/{stage.join_code}/screen")
    # then
    assert response.status_code == 200
    assert qr_code_svg(join_url) in response.text
    assert f'<strong class="join-url">{join_url}</strong>' in response.text
    assert f'<strong class="join-code">{stage.join_code}</strong>' in response.text


async def test_an_unknown_code_gives_a_friendly_404_with_the_code_escaped(client):
    # when
    audience = await client.get("/e/%3Cb%3Enope")
    screen = await client.get("/e/NOPE42/screen")
    # then
    assert audience.status_code == 404
    assert "No event with this code" in audience.text
    assert "<strong>&lt;b&gt;nope</strong>" in audience.text
    assert "<b>nope" not in audience.text
    assert screen.status_code == 404
    assert "<strong>NOPE42</strong>" in screen.text


async def test_the_join_form_sends_a_typed_code_to_its_page(client):
    # when
    form = await client.get("/e")
    typed = await client.get("/e", params={"code": " ab c/?# "})
    # then
    assert form.status_code == 200
    assert '<input id="join-code" name="code"' in form.text
    assert (typed.status_code, typed.headers["location"]) == (303, "/e/ab%20c%2F%3F%23")


async def test_the_page_scripts_are_served_as_static_files(client):
    # when
    response = await client.get("/static/live.js")
    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        ("text/javascript", "application/javascript")
    )
    assert "graphql-transport-ws" in response.text
