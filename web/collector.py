"""Tuning Python's cyclic garbage collector for a server holding thousands of connections.

Profiling 5,000 live viewers per process showed a fifth of the CPU in ``gc_collect_main``:
every full collection walks every object alive (the schema, the ORM, each connection's
protocol, tasks and buffers), and the default thresholds run collections hundreds of times
a second under request load. Two standard remedies, applied once per worker at start-up:

- ``gc.freeze()`` after start-up moves everything alive then (modules, the schema, the ORM
  models) to a permanent generation that collections no longer walk;
- a higher first threshold: most objects of a request are freed by reference counting
  anyway, and collections only need to find the cycles among the rest.

The pauses matter as much as the total. At 5,000 viewers per process, Python's default
older thresholds (10, 10) gave middle-generation collections of 0.1 to 0.35 s every ~20 s
(each finding ~65,000 objects of cyclic garbage) and a full collection of 1.4 to 1.7 s, which
walks every connection's objects: one such pause in a minute of pledging was the p99 of
pledge-to-screen latency. So the middle generation is collected every 2 young
collections, while its garbage is still small (pauses of at most ~0.17 s, same total),
and a full collection waits for 1,000 of those (Python also waits until a quarter of
the long-lived objects are new since the last one), so on a steady live night it is rare.
"""

import gc

MIDDLE_THRESHOLD = 2  # young collections per middle-generation collection
OLDEST_THRESHOLD = 1000  # middle-generation collections per full collection, at least


def tune_collector(threshold: int) -> None:
    """Freeze what start-up allocated; a young collection every ``threshold`` allocations
    (net of deallocations) of tracked objects instead of Python's 700, and the older
    generations as the module says. 0: leave it be."""
    if threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(threshold, MIDDLE_THRESHOLD, OLDEST_THRESHOLD)
