"""A minimal client for an OpenAI-compatible chat completions endpoint (`POST {base_url}/chat/completions`).

Used for abstractive summaries when `PARLEY_LLM_BASE_URL` is set; any server speaking that protocol works
(OpenAI, vLLM, llama.cpp's server, Ollama's /v1). Every failure surfaces as `LLMError`, so callers can fall
back to what they can do without the model.
"""

from __future__ import annotations

from typing import Any

import httpx

from parley.intel.model import LLMEndpoint

__all__ = ["LLMError", "chat"]

TEMPERATURE = 0.2  # summaries should be faithful, not creative


class LLMError(Exception):
    """The endpoint could not be reached, refused the request, or answered without a usable message."""


def chat(endpoint: LLMEndpoint, messages: list[dict[str, str]]) -> str:
    """The assistant's reply to `messages` ([{role, content}]), stripped; raises `LLMError`."""
    headers = {"Authorization": f"Bearer {endpoint.api_key}"} if endpoint.api_key else {}
    body: dict[str, Any] = {"model": endpoint.model, "messages": messages, "temperature": TEMPERATURE}
    url = endpoint.base_url.rstrip("/") + "/chat/completions"
    try:
        response = httpx.post(url, json=body, headers=headers, timeout=endpoint.timeout_seconds)
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
    except httpx.HTTPStatusError as error:
        raise LLMError(f"{url} answered {error.response.status_code}: {error.response.text[:200]}") from error
    except httpx.HTTPError as error:
        raise LLMError(f"{url} could not be reached: {error}") from error
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise LLMError(f"{url} answered without a chat completion message: {error!r}") from error
    if not isinstance(content, str) or not content.strip():
        raise LLMError(f"{url} answered with an empty message")
    return content.strip()
