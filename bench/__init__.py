"""liucheng benchmarks against the peers: `python -m bench` measures and writes README.md.

This package is imported by two interpreters: the product's virtualenv (the liucheng
sides and the runner) and bench/.venv-peers (SpiffWorkflow). Modules the peer side
imports (`workload`, `timing`, `run_side`, `peer/`) use only the standard library.
"""
