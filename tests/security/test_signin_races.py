"""Sign-in throttling under parallel guessing, on SQLite and PostgreSQL: twenty wrong
passwords for one user from one address sent at once must not get more guesses checked
than the limit (5 per user and address in 15 minutes), and then the right password is
refused too; and password spraying — wrong passwords for twenty user ids from one address at
once — gets no more guesses checked than the per-address cap. Sequential throttling,
session fixation and CSRF on the sign-in form are tested in tests/api/test_signin.py.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from security_kit import tried
from webworld import PASSWORDS, build_world, csrf_of

from liucheng.org import accounts
from liucheng.org.errors import TooManyAttempts

PARALLEL = 20


def test_parallel_guesses_get_no_more_tries_than_the_limit(database_url: str,
                                                           tmp_path: Path) -> None:
    world = build_world(database_url, tmp_path)
    try:
        limit = world.svc.settings.throttle.per_user_and_ip

        def guess(n: int) -> int:
            tried("sign-in guesses in parallel")
            answer = world.client().post("/api/v1/auth/token", json={
                "user": "bob", "password": f"wrong-guess-{n}", "name": "x",
                "scopes": ["tasks.read"]})
            return answer.status_code

        with ThreadPoolExecutor(PARALLEL) as pool:
            statuses = Counter(pool.map(guess, range(PARALLEL)))
        assert set(statuses) <= {401, 429}, statuses
        assert statuses[401] <= limit, f"{statuses[401]} guesses were checked: {statuses}"
        right = world.client().post("/api/v1/auth/token", json={
            "user": "bob", "password": PASSWORDS["bob"], "name": "x", "scopes": ["tasks.read"]})
        assert right.status_code == 429
        browser = world.browser()
        form = browser.get("/login")
        page = browser.post("/login", data={"user": "bob", "password": PASSWORDS["bob"],
                                            "csrf_token": csrf_of(form.text)})
        assert page.status_code == 429
    finally:
        world.svc.engine.close()


def test_parallel_spraying_gets_no_more_tries_than_the_address_cap(database_url: str,
                                                                   tmp_path: Path) -> None:
    """Each user id is tried once, so only the cap per address (here 5) can stop them."""
    world = build_world(database_url, tmp_path)
    limits = replace(world.svc.settings.throttle, per_ip=5)
    users = ["alice", "bob", "carol", "dave", "admin"] + [f"user{n}" for n in range(15)]
    start = threading.Barrier(len(users))
    try:
        def spray(user: str) -> str:
            tried("sign-in guesses in parallel")
            start.wait()
            with world.svc.db() as db:
                result = accounts.sign_in(db, user, "Spring2026!", ip="203.0.113.7",
                                          now=world.svc.now(), limits=limits)
            if result.principal is not None:
                return "signed in"
            return "throttled" if isinstance(result.error, TooManyAttempts) else "checked"

        with ThreadPoolExecutor(len(users)) as pool:
            outcomes = Counter(pool.map(spray, users))
        assert set(outcomes) <= {"checked", "throttled"}, outcomes
        assert outcomes["checked"] <= limits.per_ip, f"{outcomes['checked']} checked: {outcomes}"
        with world.svc.db() as db:
            right = accounts.sign_in(db, "bob", PASSWORDS["bob"], ip="203.0.113.7",
                                     now=world.svc.now(), limits=limits)
        assert isinstance(right.error, TooManyAttempts)
    finally:
        world.svc.engine.close()
