"""The in-sandbox test harnesses (`harness.py`, `harness.js`), shipped as package data.

They are standalone programs, not modules of this package: the host copies or bakes them into
the sandbox and reads them through `Path(__file__).parent` (see `codegym.sandbox.harness_files`).
Their protocol is documented in docs/harness-protocol.md.
"""
