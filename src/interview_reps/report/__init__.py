"""Renderings of one rep that need no terminal: the key-number rows and the Markdown report."""

from __future__ import annotations

from .markdown import marked_transcript, render_markdown
from .numbers import key_numbers

__all__ = ["key_numbers", "marked_transcript", "render_markdown"]
