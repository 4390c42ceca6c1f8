"""The server's features (`lsp/feature.py`): each owns its state and registers its handlers."""
