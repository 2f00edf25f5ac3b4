"""The collector tuning a served process applies at start-up (web/collector.py)."""

import gc
from collections.abc import Iterator

import pytest

from web.collector import MIDDLE_THRESHOLD, OLDEST_THRESHOLD, tune_collector


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_tuning_freezes_start_up_and_sets_every_generation(restored_collector):
    tune_collector(20_000)
    assert gc.get_threshold() == (20_000, MIDDLE_THRESHOLD, OLDEST_THRESHOLD)
    assert gc.get_freeze_count() > 0


def test_zero_leaves_the_collector_alone(restored_collector):
    before = gc.get_threshold(), gc.get_freeze_count()
    tune_collector(0)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
