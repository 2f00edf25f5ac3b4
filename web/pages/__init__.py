"""Web pages for audiences of live pitching events (phones and the big screen in the hall)."""

from starlette.routing import BaseRoute, Route

from web.pages.assets import static_mount
from web.pages.audience import audience_page, join_form
from web.pages.screen import screen_page


def page_routes() -> list[BaseRoute]:
    return [
        Route("/e", join_form, name="join_form"),
        Route("/e/{code}", audience_page, name="audience"),
        Route("/e/{code}/screen", screen_page, name="screen"),
        static_mount(),
    ]
