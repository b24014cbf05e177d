"""The `liucheng` command line (Typer + Rich)."""
