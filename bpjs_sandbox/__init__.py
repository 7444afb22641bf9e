"""The insurer's sandbox: a separate HTTP server that honours the insurer's host-to-host
specification (docs/insurer-contract.md#sandbox).

It plays the outside party, so it imports nothing from the project's apps (not even the
gateway's signing code): if the two disagree about the contract, the tests must show it.
Run it with ``python -m bpjs_sandbox --port 8700 --db sandbox.sqlite3``.
"""
