"""Code Gym: practice programming in your own editor."""

__version__ = "0.1.0"
