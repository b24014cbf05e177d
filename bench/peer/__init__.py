"""The SpiffWorkflow sides, run only by bench/.venv-peers/bin/python (never the product's)."""
