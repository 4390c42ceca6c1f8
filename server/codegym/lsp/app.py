"""The assembled language server: the core features and the tutor's, registered on one server."""

from . import features, tutor_features  # noqa: F401 (importing registers their handlers)
from .server import server

__all__ = ["server"]
