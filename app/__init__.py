"""Outpost EHR domain core: plain Python, no Qt, no SQLAlchemy, no httpx."""

__version__ = "0.1.0"
