"""`python -m bench` — run every case side by side and write bench/README.md."""

from bench.runner import main

if __name__ == "__main__":
    raise SystemExit(main())
