"""Tools for authors: `codegym draft`, a model's draft of an exercise, verified by running it."""
