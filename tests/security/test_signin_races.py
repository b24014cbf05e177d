"""Sign-in throttling under parallel guessing, on SQLite and PostgreSQL: twenty wrong
passwords for one user from one address sent at once must not get more guesses checked
than the limit (5 per user and address in 15 minutes), and then the right password is
refused too; and password spraying — wrong passwords for twenty user ids from one address at
once — gets no more guesses checked than the per-address cap; and fifty people signing in
through the form at once, against the app under uvicorn, all get in (no 5xx: requests wait
for the database instead of running out of connections). Sequential throttling,
session fixation and CSRF on the sign-in form are tested in tests/api/test_signin.py.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx
from security_kit import tried
from webworld import PASSWORDS, build_world, csrf_of, served

from liucheng.api.services import Services
from liucheng.org import accounts
from liucheng.org.errors import TooManyAttempts
from liucheng.org.throttle import Limits

PARALLEL = 20
AT_ONCE = 50


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
            result = _sign_in(world.svc, user, "Spring2026!", limits)
            if result.principal is not None:
                return "signed in"
            return "throttled" if isinstance(result.error, TooManyAttempts) else "checked"

        with ThreadPoolExecutor(len(users)) as pool:
            outcomes = Counter(pool.map(spray, users))
        assert set(outcomes) <= {"checked", "throttled"}, outcomes
        assert outcomes["checked"] <= limits.per_ip, f"{outcomes['checked']} checked: {outcomes}"
        right = _sign_in(world.svc, "bob", PASSWORDS["bob"], limits)
        assert isinstance(right.error, TooManyAttempts)
    finally:
        world.svc.engine.close()


def _sign_in(svc: Services, user: str, password: str, limits: Limits) -> accounts.SignIn:
    """A sign-in as the form makes it: looked at, the password checked outside any
    transaction, then admitted and recorded."""
    with svc.reading() as db:
        found = accounts.attempt(db, user, ip="203.0.113.7", now=svc.now(), limits=limits)
    matches = found.matches(password)
    with svc.writing() as db:
        return accounts.sign_in(db, found, password, matches, ip="203.0.113.7",
                                now=svc.now(), limits=limits)


def test_fifty_sign_ins_at_once_all_get_in(database_url: str, tmp_path: Path) -> None:
    world = build_world(database_url, tmp_path)
    users = list(PASSWORDS)
    start = threading.Barrier(AT_ONCE)
    try:
        with served(world.app) as base:
            def sign_in(n: int) -> int:
                user = users[n % len(users)]
                with httpx.Client(base_url=base, timeout=300) as client:
                    form = client.get("/login")
                    start.wait()
                    answer = client.post("/login", data={
                        "user": user, "password": PASSWORDS[user], "next": "/inbox",
                        "csrf_token": csrf_of(form.text)})
                    return answer.status_code

            with ThreadPoolExecutor(AT_ONCE) as pool:
                statuses = Counter(pool.map(sign_in, range(AT_ONCE)))
        assert statuses == Counter({303: AT_ONCE}), statuses
    finally:
        world.svc.engine.close()
