"""Marking values that may go into a log file.

Logs are plain files outside the encrypted store, so they must never hold PHI. The log
formatter (``ui/logging_setup.py``) keeps numbers, UUIDs and enum values, and any value
wrapped in :class:`Safe` by code that knows it is not about a patient (a user name, a
workstation, an error's class); every other argument is replaced by ``[redacted]``.

    log.info("sign-in by %s at %s", Safe(username), Safe(workstation))
"""
from __future__ import annotations


class Safe(str):
    """A string vetted by the caller as not PHI (ids, user names, workstation names, counts)."""
    __slots__ = ()
