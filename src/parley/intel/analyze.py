"""The analyze stage's core: utterances + context -> one `Analysis` (insights, topics, entities, trackers,
summary, action phrases). Pure: no database, so text jobs, live sessions and benchmarks call it alike."""

from __future__ import annotations

import logging

from parley.intel.entities import find_entities
from parley.intel.insights import find_insights
from parley.intel.llm import LLMError
from parley.intel.llm_actions import ACTION_TYPES, action_items_with_llm
from parley.intel.model import Analysis, AnalysisContext, Insight, Utterance
from parley.intel.summary import summarize
from parley.intel.topics import find_topics
from parley.intel.trackers import find_trackers

log = logging.getLogger(__name__)


def analyze(utterances: list[Utterance], context: AnalysisContext) -> Analysis:
    insights, phrases = find_insights(utterances, context)
    if context.llm is not None and context.llm_action_items:
        insights = _with_written_action_items(utterances, context, insights)
    analysis = Analysis(insights=insights, topics=find_topics(utterances), phrases=phrases)
    if context.detect_entities or context.custom_entities:
        analysis.entities = find_entities(utterances, context)
    if context.trackers:
        analysis.trackers = find_trackers(utterances, context.trackers)
    if context.summary:
        analysis.summary = summarize(utterances, context)
    return analysis


def _with_written_action_items(
    utterances: list[Utterance], context: AnalysisContext, insights: list[Insight]
) -> list[Insight]:
    """The rules' questions with the model's action items and follow-ups, or the rules' insights unchanged
    when the model fails: a job never fails for want of a model."""
    try:
        written = action_items_with_llm(utterances, context, insights)
    except LLMError as error:
        log.warning("action items from the model failed, keeping the rules' items: %s", error)
        return insights
    return [insight for insight in insights if insight.type not in ACTION_TYPES] + written
