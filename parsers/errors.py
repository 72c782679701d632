"""The one error type that `extract` raises, and its subclasses."""
from __future__ import annotations


class ParseError(Exception):
    """The input cannot be turned into a Document. The message is one clear line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


class NotHTMLError(ParseError):
    """The bytes are empty, or are a PDF, ZIP, image, office file or other binary."""


class DecodeError(ParseError):
    """The bytes cannot be decoded as text in any plausible encoding."""
