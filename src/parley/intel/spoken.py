"""Words of spoken interaction that name no subject: backchannels, hesitations, greetings and discourse
markers ("yeah", "um", "mm-hmm", "I mean", "you know"). Speech is full of them, so left in they make the
emptiest messages look the most typical (summaries) and turn up as topics ("Yep")."""

from __future__ import annotations

__all__ = ["INTERJECTIONS"]

_WORDS = (
    "yeah yep yup yes yah nope nah okay ok alright right um umm uh uhm uh-huh er erm ah aha oh ooh hmm mm "
    "mmm mhm mm-hmm hm huh wow whoa geez gosh oops hey hi hello bye goodbye thanks thank cheers please sorry "
    "pardon well like gonna wanna gotta kinda sorta dunno think know mean guess suppose sure anyway actually "
    "basically really just stuff"
)
INTERJECTIONS = frozenset(_WORDS.split())
