"""Web pages: for audiences of live pitching events, and community pages with their map."""

from starlette.routing import BaseRoute, Route

from web.pages.assets import static_mount
from web.pages.audience import audience_page, join_form
from web.pages.community import community_page
from web.pages.map import map_page
from web.pages.screen import screen_page


def page_routes() -> list[BaseRoute]:
    return [
        Route("/e", join_form, name="join_form"),
        Route("/e/{code}", audience_page, name="audience"),
        Route("/e/{code}/screen", screen_page, name="screen"),
        Route("/c/{community_id}", community_page, name="community"),
        Route("/c/{community_id}/map", map_page, name="community_map"),
        static_mount(),
    ]
