"""Fixtures shared by the hostile suites."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from codegym.config import LocalSettings
from codegym.sandbox import LocalSandbox


@pytest.fixture(scope="module")
def local_sandbox_without_bwrap() -> Iterator[LocalSandbox]:
    """The local backend as root without bubblewrap: a uid of its own per run, and the
    shared file system and process table of the host."""
    if os.geteuid() != 0:
        pytest.skip(
            "as a normal user without bubblewrap the local backend runs code as that very user "
            "(`codegym check` says the run was not isolated): its leftovers cannot be told "
            "from the user's own processes and files"
        )
    sandbox = LocalSandbox(LocalSettings(isolate_network=False))
    yield sandbox
    sandbox.close()
