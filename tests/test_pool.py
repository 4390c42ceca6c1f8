"""The warm pool (`codegym.sandbox.pool`), on plain items: how many it starts, and when.

Items that serve many runs (warm containers) come back to the pool after a run, so the pool
counts those in use: a refill for each one taken would start containers nobody needs (30
language servers on one engine did exactly that at their first saves). Items used once are
replaced as soon as one is taken, so that the next run finds one ready."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

import pytest

from codegym.sandbox.pool import Disposer, WarmPool

WAIT_S = 30.0  # only a broken pool waits this long: every wait below ends as soon as it can


class Items:
    """Numbered items, created and disposed of in the pool's threads, with a condition to
    wait on; `fail_next` makes the next creation raise."""

    def __init__(self) -> None:
        self.numbers = itertools.count(1)
        self.created: list[int] = []
        self.disposed: list[int] = []
        self.fail_next = False
        self.changed = threading.Condition()

    def create(self) -> int:
        with self.changed:
            if self.fail_next:
                self.fail_next = False
                raise RuntimeError("the engine said no")
            item = next(self.numbers)
            self.created.append(item)
            self.changed.notify_all()
            return item

    def dispose(self, item: int) -> None:
        with self.changed:
            self.disposed.append(item)
            self.changed.notify_all()

    def wait_until(self, condition: Callable[[], bool]) -> None:
        with self.changed:
            assert self.changed.wait_for(condition, WAIT_S), "the pool never got there"


@pytest.fixture
def items() -> Items:
    return Items()


def pool_of(items: Items, size: int, count_busy: bool) -> WarmPool[int]:
    return WarmPool("test", size, items.create, items.dispose, Disposer(), count_busy=count_busy)


def test_items_used_once_are_replaced_as_soon_as_one_is_taken(items: Items) -> None:
    pool = pool_of(items, 1, count_busy=False)
    items.wait_until(lambda: len(items.created) == 1)
    assert pool.acquire() == 1
    items.wait_until(lambda: len(items.created) == 2)  # ready for the next run meanwhile
    pool.close()


def test_items_that_come_back_are_counted_while_in_use(items: Items) -> None:
    pool = pool_of(items, 2, count_busy=True)
    items.wait_until(lambda: len(items.created) == 2)
    taken = [pool.acquire()]
    assert pool.missing == 0  # one waits, one serves: two alive
    taken += [pool.acquire(), pool.acquire()]  # the third is a cold start
    assert len(items.created) == 3 and pool.missing == 0
    for item in taken:
        pool.release(item)
    assert pool.idle == 3 and pool.missing == 0
    pool.discard(pool.acquire())
    assert pool.missing == 0  # two still wait
    pool.discard(pool.acquire())
    assert pool.missing == 1
    items.wait_until(lambda: pool.idle == 2)
    pool.close()
    assert len(items.created) == 4


def test_an_item_discarded_after_its_run_is_replaced(items: Items) -> None:
    pool = pool_of(items, 1, count_busy=True)
    items.wait_until(lambda: len(items.created) == 1)
    pool.discard(pool.acquire())  # e.g. a container recycled after a timeout
    items.wait_until(lambda: len(items.created) == 2 and pool.idle == 1)
    pool.close()


def test_a_failed_cold_start_does_not_hold_a_place(items: Items) -> None:
    pool = pool_of(items, 1, count_busy=True)
    items.wait_until(lambda: len(items.created) == 1)
    held = pool.acquire()
    items.fail_next = True
    with pytest.raises(RuntimeError):
        pool.acquire()
    pool.discard(held)
    items.wait_until(lambda: len(items.created) == 2 and pool.idle == 1)
    pool.close()


def test_closing_disposes_of_every_waiting_item(items: Items) -> None:
    pool = pool_of(items, 2, count_busy=True)
    items.wait_until(lambda: len(items.created) == 2)
    pool.close()
    items.wait_until(lambda: sorted(items.disposed) == sorted(items.created))
