"""The analyze stage's core: utterances + context -> one `Analysis` (insights, topics, entities, trackers,
summary, action phrases). Pure: no database, so text jobs, live sessions and benchmarks call it alike."""

from __future__ import annotations

from parley.intel.entities import find_entities
from parley.intel.insights import find_insights
from parley.intel.model import Analysis, AnalysisContext, Utterance
from parley.intel.summary import summarize
from parley.intel.topics import find_topics
from parley.intel.trackers import find_trackers


def analyze(utterances: list[Utterance], context: AnalysisContext) -> Analysis:
    insights, phrases = find_insights(utterances, context)
    analysis = Analysis(insights=insights, topics=find_topics(utterances), phrases=phrases)
    if context.detect_entities or context.custom_entities:
        analysis.entities = find_entities(utterances, context)
    if context.trackers:
        analysis.trackers = find_trackers(utterances, context.trackers)
    if context.summary:
        analysis.summary = summarize(utterances, context)
    return analysis
