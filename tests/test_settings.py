"""Settings: read once from the environment, typed, checked, and documented in the README."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from web.settings import DEFAULT_DATABASE_URL, Settings, settings_table, tortoise_config

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_table_is_the_one_made_from_the_settings():
    assert settings_table() in README.read_text()


def test_every_setting_is_documented_with_a_default():
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert f"| `{name.upper()}` |" in settings_table()


def test_defaults_need_no_services(monkeypatch):
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    settings = Settings()
    assert (settings.database_url, settings.broadcast_url) == (DEFAULT_DATABASE_URL, "memory://")
    assert (settings.graphiql, settings.live_cohorts, settings.database_pool_size) == (
        True,
        True,
        20,
    )


def test_environment_variables_are_read_and_typed(monkeypatch):
    monkeypatch.setenv("LIVE_REFRESH_INTERVAL", "0.5")
    monkeypatch.setenv("GRAPHIQL", "0")
    monkeypatch.setenv("LIVE_COHORTS", "no")
    monkeypatch.setenv("WS_MAX_SUBSCRIPTIONS", "7")
    settings = Settings()
    assert settings.live_refresh_interval == 0.5
    assert (settings.graphiql, settings.live_cohorts, settings.ws_max_subscriptions) == (
        False,
        False,
        7,
    )


def test_arguments_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("BROADCAST_URL", "redis://elsewhere:6379/0")
    assert Settings(broadcast_url="memory://").broadcast_url == "memory://"


@pytest.mark.parametrize(
    ("variable", "value"),
    [("LIVE_REFRESH_INTERVAL", "soon"), ("DATABASE_POOL_SIZE", "0"), ("GRAPHIQL", "maybe")],
)
def test_a_bad_value_is_refused_naming_its_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert variable.lower() in str(refused.value)


def test_the_pool_size_reaches_postgresql_connections_and_a_url_maxsize_wins():
    url = "postgres://hub:secret@db:5432/hub"
    config = tortoise_config(url, pool_size=7)
    assert config["connections"]["default"]["credentials"]["maxsize"] == 7
    from_url = tortoise_config(url + "?maxsize=3", pool_size=7)
    assert int(from_url["connections"]["default"]["credentials"]["maxsize"]) == 3
