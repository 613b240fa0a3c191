"""Abstractive summaries from an OpenAI-compatible chat model, grounded back in the messages.

The transcript goes to the model as "Speaker: text" lines. A transcript longer than one request
(`CHUNK_CHARS`) is summarised part by part and the parts' summaries are summarised once more; one longer
than `MAX_CHUNKS` requests is first cut down to its most central messages (in time order), so a very long
meeting costs a bounded number of calls. The caller's `prompt` (VideoSDK's summary prompt) replaces the
default instruction.

Each sentence of the answer is grounded in the messages it restates: a TF-IDF shortlist of messages is
re-ranked by MiniLM embedding similarity, and the closest ones become its `messageRefs`.
"""

from __future__ import annotations

import re

import numpy as np

from parley.intel.embedder import embed
from parley.intel.extractive import ranked_messages, sentence_id
from parley.intel.llm import LLMError, chat
from parley.intel.model import LLMEndpoint, MessageRef, SummarySentence, Utterance
from parley.intel.text_similarity import tfidf_matrix

__all__ = [
    "CHUNK_CHARS",
    "DEFAULT_INSTRUCTION",
    "ask_about_transcript",
    "pack_lines",
    "summarize_with_llm",
    "transcript_chunks",
]

CHUNK_CHARS = 24_000  # about 6,000 tokens: fits every current chat model with room for the answer
MAX_CHUNKS = 6
SHORTLIST = 20  # messages per summary sentence that go on to the embedding comparison
MAX_REFS = 3
REF_MARGIN = 0.08  # further messages are refs when this close to the best one's similarity
DEFAULT_INSTRUCTION = (
    "Summarize the following meeting transcript in 3 to 8 plain sentences: what was discussed, what was "
    "decided, and who will do what next. Write only the summary as prose, without headings or bullet points."
)
PART_INSTRUCTION = (
    "This is part {part} of {total} of a meeting transcript. Summarize this part in a few plain sentences, "
    "keeping names, decisions and commitments."
)
_BULLET = re.compile(r"^\s*(?:[-*•]+|\d+[.)])\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])")


def summarize_with_llm(
    utterances: list[Utterance], endpoint: LLMEndpoint, prompt: str | None = None
) -> list[SummarySentence]:
    instruction = prompt.strip() if prompt and prompt.strip() else DEFAULT_INSTRUCTION
    chunks = transcript_chunks(utterances)
    if len(chunks) == 1:
        answer = ask_about_transcript(endpoint, instruction, chunks[0])
    else:
        parts = [
            ask_about_transcript(endpoint, PART_INSTRUCTION.format(part=number, total=len(chunks)), chunk)
            for number, chunk in enumerate(chunks, start=1)
        ]
        answer = ask_about_transcript(endpoint, instruction, "\n\n".join(parts))
    sentences = answer_sentences(answer)
    if not sentences:
        raise LLMError("the model's answer held no sentences")
    refs = _grounding(sentences, utterances)
    return [
        SummarySentence(id=sentence_id(text), text=text, messageRefs=[MessageRef(id=ref) for ref in found])
        for text, found in zip(sentences, refs, strict=True)
    ]


def transcript_chunks(utterances: list[Utterance]) -> list[str]:
    """'Speaker: text' lines packed into at most MAX_CHUNKS requests of at most CHUNK_CHARS characters."""
    lines = [f"{utterance.speaker or 'Speaker'}: {utterance.text}"[:CHUNK_CHARS] for utterance in utterances]
    chunks = _joined_chunks(lines)
    if len(chunks) <= MAX_CHUNKS:
        return chunks
    order = ranked_messages(utterances)
    budget = CHUNK_CHARS * MAX_CHUNKS
    while len(chunks) > MAX_CHUNKS:  # packing wastes the ends of chunks: shrink until it fits
        chunks = _joined_chunks(_most_central_lines(order, lines, budget))
        budget = int(budget * 0.9)
    return chunks


def _joined_chunks(lines: list[str]) -> list[str]:
    return ["\n".join(group) for group in pack_lines(lines)]


def pack_lines(lines: list[str]) -> list[list[str]]:
    """Consecutive lines grouped so that each group, joined by newlines, fits in CHUNK_CHARS characters
    (a longer line stands alone)."""
    groups: list[list[str]] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + len(line) + 1 > CHUNK_CHARS:
            groups.append(current)
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    groups.append(current)
    return groups


def answer_sentences(answer: str) -> list[str]:
    """The model's prose as sentences, without bullets, numbering, markdown emphasis or headings."""
    sentences: list[str] = []
    for raw in answer.splitlines():
        line = _BULLET.sub("", raw.replace("**", "").replace("__", "")).strip().lstrip("#").strip()
        if not line or line.endswith(":"):
            continue
        sentences += [part.strip() for part in _SENTENCE_END.split(line) if part.strip()]
    return sentences


def ask_about_transcript(endpoint: LLMEndpoint, instruction: str, transcript: str) -> str:
    """The model's answer to `instruction` (the system message) about `transcript` (the user message)."""
    return chat(
        endpoint,
        [
            {"role": "system", "content": instruction},
            {"role": "user", "content": f"Transcript:\n{transcript}"},
        ],
    )


def _most_central_lines(order: list[int], lines: list[str], budget: int) -> list[str]:
    """The most central lines that fit in `budget` characters, in time order."""
    kept: set[int] = set()
    used = 0
    for index in order:
        if used + len(lines[index]) + 1 > budget:
            break
        kept.add(index)
        used += len(lines[index]) + 1
    return [lines[index] for index in sorted(kept)]


def _grounding(sentences: list[str], utterances: list[Utterance]) -> list[list[str]]:
    """For each summary sentence, the ids of the messages (1..MAX_REFS, in time order) it restates."""
    texts = [utterance.text for utterance in utterances]
    matrix = tfidf_matrix(texts + sentences)
    lexical = (matrix[len(texts) :] @ matrix[: len(texts)].T).toarray()
    grounded: list[list[str]] = []
    for row, sentence in enumerate(sentences):
        shortlist = np.argsort(-lexical[row])[:SHORTLIST]
        vectors = embed([sentence] + [texts[index] for index in shortlist])
        similarity = vectors[1:] @ vectors[0]
        best = float(similarity.max())
        close = [
            int(shortlist[position])
            for position in np.argsort(-similarity)[:MAX_REFS]
            if similarity[position] >= best - REF_MARGIN
        ]
        grounded.append([utterances[index].id for index in sorted(close)])
    return grounded
