"""Password hashing with argon2id (argon2-cffi defaults) and the password rule."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from liucheng.errors import Problem, ValidationError

MIN_LENGTH = 8
_hasher = PasswordHasher()


@cache
def dummy_hash() -> str:
    """A hash verified when the user id is unknown, so both paths take the same time; made
    once, when the web app is built (`create_app`), not when the module is imported (a
    hash takes about 90 ms, which every command importing the accounts paid)."""
    return _hasher.hash("liucheng-timing-equaliser")


def check_rule(password: str, *, field: str = "password") -> None:
    """Raise ValidationError when the password is too weak to set."""
    if len(password) < MIN_LENGTH:
        raise ValidationError([Problem(f"the password needs at least {MIN_LENGTH} characters",
                                       field=field, hint="use a longer passphrase")])


def hash_password(password: str) -> str:
    check_rule(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing hash still costs one verification."""
    try:
        return _hasher.verify(stored_hash or dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
