"""Hostile learner programs (`programs/<language>/*`) and the test that runs each of them on both
sandbox backends (`test_hostile.py`)."""
