"""Parley: a self-hosted conversation-intelligence server."""

__version__ = "0.1.0"
