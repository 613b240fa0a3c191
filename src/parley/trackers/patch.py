"""JSON Patch (RFC 6902) for a tracker: `add`, `remove` and `replace` on its fields and list items.

Paths: `/name`, `/description`, `/vocabulary`, `/categories`, `/languages`, and for the three lists
`/<list>/<index>` and `/<list>/-` (append). Anything else is refused with a message naming the operation;
the patched document is validated like a new tracker afterwards.
"""

from __future__ import annotations

import copy
from typing import Any

from parley.errors import BadRequest

SCALARS = {"name", "description"}
LISTS = {"vocabulary", "categories", "languages"}
OPERATIONS = ("add", "remove", "replace")


def apply_patch(document: dict[str, Any], operations: Any) -> dict[str, Any]:
    if not isinstance(operations, list) or not operations:
        raise BadRequest("the body must be a non-empty JSON Patch list: [{op, path, value}]")
    patched = copy.deepcopy(document)
    for index, operation in enumerate(operations):
        _apply(patched, operation, f"operation {index}")
    return patched


def _apply(document: dict[str, Any], operation: Any, where: str) -> None:
    if not isinstance(operation, dict):
        raise BadRequest(f"{where}: expected an object with op, path and value")
    unknown = set(operation) - {"op", "path", "value", "from"}
    if unknown:
        raise BadRequest(f"{where}: unknown member {sorted(unknown)[0]!r}")
    op, path = operation.get("op"), operation.get("path")
    if op not in OPERATIONS:
        raise BadRequest(f"{where}: op must be one of {', '.join(OPERATIONS)}, got {op!r}")
    if op != "remove" and "value" not in operation:
        raise BadRequest(f"{where}: {op} needs a value")
    field, item = _parse_path(path, where)
    if item is None:
        _apply_to_field(document, op, field, operation.get("value"), where)
    else:
        _apply_to_item(document.setdefault(field, []), op, item, operation.get("value"), f"{where} ({path})")


def _parse_path(path: Any, where: str) -> tuple[str, str | None]:
    parts = path.split("/") if isinstance(path, str) else []
    if len(parts) not in (2, 3) or parts[0] != "":
        raise BadRequest(f"{where}: path must look like /name or /vocabulary/0, got {path!r}")
    field = parts[1]
    if field not in SCALARS | LISTS or (len(parts) == 3 and field not in LISTS):
        raise BadRequest(f"{where}: {path!r} is not a field a tracker's patch can change")
    return field, parts[2] if len(parts) == 3 else None


def _apply_to_field(document: dict[str, Any], op: str, field: str, value: Any, where: str) -> None:
    if op == "remove":
        if field in ("name", "vocabulary"):
            raise BadRequest(f"{where}: {field} is required and cannot be removed")
        document[field] = [] if field in LISTS else None
        return
    if field in LISTS and not isinstance(value, list):
        raise BadRequest(f"{where}: {field} must be a list")
    document[field] = value


def _apply_to_item(items: list[Any], op: str, item: str, value: Any, where: str) -> None:
    if item == "-":
        if op != "add":
            raise BadRequest(f"{where}: '-' (the end of the list) only works with add")
        items.append(value)
        return
    if not item.isdigit() or (len(item) > 1 and item.startswith("0")):
        raise BadRequest(f"{where}: a list index must be a number or '-'")
    position = int(item)
    limit = len(items) if op == "add" else len(items) - 1
    if position > limit:
        raise BadRequest(f"{where}: index {position} is out of range (the list has {len(items)} items)")
    if op == "add":
        items.insert(position, value)
    elif op == "remove":
        del items[position]
    else:
        items[position] = value
