"""Password policy and Argon2id hashing (the hash is for re-authentication while the
store is open, e.g. the lock screen; the user's key slot is derived separately)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.errors import ValidationError

MIN_LENGTH = 12
_hasher = PasswordHasher()  # Argon2id with the library's (RFC 9106 low-memory) defaults

# The most common passwords in breach corpora, lower-cased; anything containing one
# of these as its whole content is refused.
COMMON = frozenset("""
123456 123456789 12345678 password qwerty123 qwerty 1234567890 111111 1234567 password1
abc123 iloveyou 000000 123123 admin admin123 welcome letmein monkey dragon football
baseball sunshine princess passw0rd master shadow superman trustno1 michael jennifer
changeme changeme123 welcome1 welcome123 password123 password1234 qwertyuiop
123qwe 1q2w3e4r 1q2w3e4r5t zaq12wsx qazwsx !qaz2wsx asdfghjkl hello123 login
doctor nurse clinic hospital patient medical health outpost
""".split())


def check_policy(password: str, *, username: str = "") -> None:
    """Raise ValidationError when the password is too short, common or contains the user name."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters")
    lowered = password.lower()
    stripped = lowered.rstrip("0123456789!@#$%^&*.?")
    if lowered in COMMON or stripped in COMMON or len(set(lowered)) < 4:
        problems.append("is a commonly used password; choose another")
    if username and username.lower() in lowered:
        problems.append("must not contain the user name")
    if problems:
        raise ValidationError({"password": ", ".join(problems)})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
