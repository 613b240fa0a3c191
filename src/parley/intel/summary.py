"""Summaries: a few sentences that say what a conversation was about, each grounded in its messages.

Extractive by default (`extractive`). With an LLM endpoint configured (`PARLEY_LLM_BASE_URL`) the summary is
abstractive (`abstractive`); when the endpoint fails, the extractive summary is returned instead and the
failure is logged, so a job never fails for want of a model.
"""

from __future__ import annotations

import logging

from parley.intel.abstractive import summarize_with_llm
from parley.intel.extractive import extractive_summary
from parley.intel.llm import LLMError
from parley.intel.model import AnalysisContext, SummarySentence, Utterance

__all__ = ["summarize"]

log = logging.getLogger(__name__)


def summarize(utterances: list[Utterance], context: AnalysisContext) -> list[SummarySentence]:
    if not utterances:
        return []
    if context.llm is not None:
        try:
            return summarize_with_llm(utterances, context.llm, context.summary_prompt)
        except LLMError as error:
            log.warning("abstractive summary failed, using the extractive one: %s", error)
    return extractive_summary(utterances)
