"""Lit's JavaScript SDK (v7) against a litrt node: its routes and share formats (routes.py, shares.py).
README §"Use Lit's JavaScript SDK with a local litrt network"."""

from .routes import register

__all__ = ["register"]
