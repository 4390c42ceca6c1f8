"""The assembled language server: the core's handlers, then each feature. The order of the
features is the order of their lenses, hover sections and code actions (the destructive "Reset
to starter code" last) and of their diagnostics."""

from __future__ import annotations

from . import handlers
from .features.authoring import Authoring
from .features.exercises import Exercises, Statement
from .features.folding import HeaderFolding
from .features.generated_variants import GeneratedVariants
from .features.next_on_pass import NextOnPass
from .features.progress_view import ProgressView
from .features.syntax import Syntax
from .features.testing import Testing
from .features.tutor import Tutoring
from .server import GymServer

FEATURES = (
    GeneratedVariants,  # first: the others find a generated variant's parameters made
    Syntax,
    Testing,
    NextOnPass,
    Statement,
    HeaderFolding,
    Tutoring,
    Authoring,
    Exercises,
    ProgressView,
)


def make_server() -> GymServer:
    server = GymServer()
    handlers.install(server)
    for feature in FEATURES:
        server.add_feature(feature)
    return server


server = make_server()

__all__ = ["make_server", "server"]
