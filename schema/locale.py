"""The ``Locale`` of labels, registered once for every field that takes one."""

import strawberry

from resolvers.taxonomy import Locale

strawberry.enum(Locale, description="Language of labels: EN English, UK Ukrainian.")


def locale_or_default(locale: Locale | None) -> Locale:
    """``locale: null`` means the default, English."""
    return locale or Locale.EN


__all__ = ["Locale", "locale_or_default"]
