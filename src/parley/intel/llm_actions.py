"""Action items and follow-ups written by an OpenAI-compatible chat model, grounded in the messages.

Used when `PARLEY_LLM_BASE_URL` is set (and `PARLEY_LLM_ACTION_ITEMS` is not turned off). The model reads
the transcript as numbered "[n] Speaker: text" lines, packed into requests of at most
`abstractive.CHUNK_CHARS` characters (one request per part, no cut: every line may hold a task), and answers
a JSON array of tasks. Each task restates who will do what in one sentence, as meeting minutes do, which
the rules cannot: they quote the sentence that was said ("I will have a look at it").

A task is kept only when its `lines` name messages of the part it was asked about: nothing ungrounded is
reported. Its deadline is the model's phrase read by the rules' resolver (`due_dates.find_due`), so dueBy
means the same as for the rules' items; its assignee is the speaker of that name when there is one.
Score: `AGREED` when the rules found an action item or follow-up on one of its messages too, else
`MODEL_ONLY` (both >= 0.5, so every task passes the default confidenceThreshold and the stricter
thresholds keep the tasks both readers found). Any failure raises `LLMError`, and the caller keeps the
rules' items.
"""

from __future__ import annotations

import json
import re
from typing import Any

from parley.intel.abstractive import CHUNK_CHARS, ask_about_transcript, pack_lines
from parley.intel.due_dates import DuePhrase, find_due
from parley.intel.insights import due_entity, insight_id, named_assignee, people_of, person_entity
from parley.intel.llm import LLMError
from parley.intel.model import (
    AnalysisContext,
    Assignee,
    Insight,
    InsightEntity,
    Phrase,
    Utterance,
)

__all__ = ["AGREED", "INSTRUCTION", "MODEL_ONLY", "action_items_with_llm"]

AGREED = 0.9
MODEL_ONLY = 0.7
ACTION_TYPES = {"action_item", "follow_up"}
INSTRUCTION = (
    "You read meeting transcripts and list their action items: tasks that a participant, or someone named "
    "in the meeting, is to do after this point (prepare, send, check, find out, call, meet). Leave out what "
    "is done during the meeting itself, proposals still under discussion, and opinions. Each transcript line "
    "starts with its number in brackets.\n"
    "Answer with a JSON array only, one object per task, with these keys:\n"
    '"task": one sentence in the third person saying who will do what, and by when if that was said;\n'
    '"assignee": the name of the person who is to do it, as the transcript gives it, or null;\n'
    '"due": the deadline in the words that were said (for example "by Friday"), or null;\n'
    '"lines": the numbers of the lines where the task is asked for, offered or agreed;\n'
    '"follow_up": true when the task is further contact (sending something to someone, calling, e-mailing, '
    "scheduling or holding a meeting), else false;\n"
    '"definitive": true when someone firmly took the task on or was clearly given it, false when tentative.\n'
    "Answer [] when there is no task."
)
_ARRAY = re.compile(r"\[.*\]", re.DOTALL)


def action_items_with_llm(
    utterances: list[Utterance], context: AnalysisContext, rule_items: list[Insight]
) -> list[Insight]:
    """The model's action items and follow-ups over the whole transcript; raises `LLMError`."""
    assert context.llm is not None
    lines = [_line(number, utterance) for number, utterance in enumerate(utterances)]
    found_by_rules: dict[str, list[Phrase]] = {}
    for item in rule_items:
        if item.type in ACTION_TYPES:
            for message_id in item.messageIds:
                found_by_rules.setdefault(message_id, []).extend(item.phrases)
    people = people_of(utterances)
    items: list[Insight] = []
    first = 0
    for part in pack_lines(lines):
        numbers = range(first, first + len(part))
        first = numbers.stop
        for task in _tasks(ask_about_transcript(context.llm, INSTRUCTION, "\n".join(part))):
            item = _insight(task, numbers, utterances, context, people, found_by_rules)
            if item is not None:
                items.append(item)
    return items


def _line(number: int, utterance: Utterance) -> str:
    """One message on one line: the model cites it by its number."""
    text = " ".join(utterance.text.split())
    return f"[{number}] {utterance.speaker or 'Speaker'}: {text}"[:CHUNK_CHARS]


def _tasks(answer: str) -> list[dict[str, Any]]:
    """The JSON array in the answer (a code fence or a sentence around it is allowed), its objects only."""
    match = _ARRAY.search(answer)
    try:
        tasks = json.loads(match.group(0)) if match else None
    except json.JSONDecodeError as error:
        raise LLMError(f"the model's action items are not valid JSON: {error}") from error
    if not isinstance(tasks, list):
        raise LLMError(f"the model answered without a JSON array of action items: {answer[:200]!r}")
    return [task for task in tasks if isinstance(task, dict)]


def _insight(
    task: dict[str, Any],
    numbers: range,
    utterances: list[Utterance],
    context: AnalysisContext,
    people: dict[str, Assignee],
    found_by_rules: dict[str, list[Phrase]],
) -> Insight | None:
    """One task as an insight, or None when it has no text or cites no line of its part."""
    text = task.get("task")
    lines = task.get("lines")
    if not isinstance(text, str) or not text.strip() or not isinstance(lines, list):
        return None
    cited = sorted({n for n in map(_line_number, lines) if n in numbers})
    if not cited:
        return None
    text = text.strip()
    message_ids = [utterances[n].id for n in cited]
    assignee = _assignee(task.get("assignee"), people)
    due = _due(task.get("due"), context)
    kind = "follow_up" if task.get("follow_up") is True else "action_item"
    return Insight(
        id=insight_id(message_ids[0], text, kind),
        type=kind,
        text=text,
        score=AGREED if any(m in found_by_rules for m in message_ids) else MODEL_ONLY,
        messageIds=message_ids,
        entities=_entities(text, assignee, due),
        phrases=list({p.text: p for m in message_ids for p in found_by_rules.get(m, [])}.values()),
        definitive=task.get("definitive") is True,
        assignee=assignee,
        dueBy=due.value if due else None,
    )


def _line_number(cited: object) -> int | None:
    """A cited line: 3 or "3" (models write both); anything else cites nothing."""
    if isinstance(cited, int) and not isinstance(cited, bool):
        return cited
    if isinstance(cited, str) and cited.strip().isdigit():
        return int(cited)
    return None


def _assignee(name: object, people: dict[str, Assignee]) -> Assignee | None:
    if not isinstance(name, str) or not name.strip():
        return None
    return named_assignee(name.strip(), people)


def _due(phrase: object, context: AnalysisContext) -> DuePhrase | None:
    if not isinstance(phrase, str) or not phrase.strip():
        return None
    return find_due(phrase, context.conversation_start, context.timezone_offset_minutes)


def _entities(text: str, assignee: Assignee | None, due: DuePhrase | None) -> list[InsightEntity]:
    """The assignee's name and the deadline where the task's sentence says them."""
    found = []
    name = assignee.name if assignee is not None else None
    if name and (offset := text.find(name)) >= 0:
        found.append(person_entity(name, offset))
    if due is not None and (offset := text.find(due.text)) >= 0:
        found.append(due_entity(due, offset))
    return sorted(found, key=lambda entity: entity.offset)
