"""The only place channel names are made: one channel per live subject."""


def project_channel(project_id: int) -> str:
    return f"project:{project_id}"


def community_channel(community_id: int) -> str:
    return f"community:{community_id}"


def event_channel(event_id: int) -> str:
    return f"event:{event_id}"


def credentials_channel() -> str:
    """Where revoked tokens and keys are announced: their open WebSockets must close."""
    return "credentials"
