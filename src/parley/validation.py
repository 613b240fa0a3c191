"""Validating client input with pydantic, turning its errors into one 400 message that names each field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from parley.errors import BadRequest

Model = TypeVar("Model", bound=BaseModel)


def describe(error: ValidationError) -> str:
    """One line per problem, each naming the field, e.g. "confidenceThreshold: must be >= 0.5"."""
    lines = []
    for problem in error.errors():
        field = ".".join(str(part) for part in problem["loc"]) or "body"
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "is not a parameter Parley knows; check its spelling"
        lines.append(f"{field}: {message}")
    return "; ".join(lines)


def validate(model: type[Model], data: Any) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise BadRequest(describe(error)) from None
