"""The conversation page and its actions: play, rename speakers, export, share, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from parley.api.deps import RuntimeDep
from parley.conversations import export, library, overview, sharing
from parley.conversations import service as conversations
from parley.errors import BadRequest, NotFound
from parley.models import Conversation
from parley.web import conversation_view
from parley.web.media import media_response
from parley.web.session import SignedIn, checked_form
from parley.web.templating import page

router = APIRouter()

EXPORT_TYPES = {
    "srt": "application/x-subrip",
    "vtt": "text/vtt",
    "md": "text/markdown",
    "json": "application/json",
}
MAX_NAME = 300


def owned(session: Session, app_id: str | None, conversation_id: str) -> Conversation:
    """The signed-in account's conversation; anyone else's is indistinguishable from a missing one."""
    found = conversations.get(session, app_id=app_id or "", conversation_id=conversation_id)
    if found is None:
        raise NotFound(f"conversation {conversation_id} was not found")
    return found


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
def conversation_page(
    conversation_id: str, request: Request, runtime: RuntimeDep, user: SignedIn, shared: str | None = None
) -> Response:
    with runtime.session() as session:
        view = conversation_view.build(session, owned(session, user.app_id, conversation_id))
        base = (runtime.settings.public_url or str(request.base_url)).rstrip("/")
        share_url = sharing.share_url(base, shared) if shared else None
        context = {
            "view": view,
            "read_only": False,
            "media_url": f"/conversations/{conversation_id}/media",
            "share_url": share_url,
            "lifetimes": sharing.LIFETIMES_DAYS,
            "formats": EXPORT_TYPES,
        }
        return page(request, "conversation.html", context, session=user)


@router.get("/conversations/{conversation_id}/status")
def conversation_status(conversation_id: str, runtime: RuntimeDep, user: SignedIn) -> dict[str, Any]:
    """Polled by the library, upload and conversation pages while a job runs."""
    with runtime.session() as session:
        owned(session, user.app_id, conversation_id)
        status = library.get_status(session, conversation_id=conversation_id)
    return {
        "state": status.state,
        "progress": round(status.progress, 3),
        "error": status.error,
        "active": status.active,
        "url": f"/conversations/{conversation_id}",
    }


@router.get("/conversations/{conversation_id}/media")
def conversation_media(
    conversation_id: str, request: Request, runtime: RuntimeDep, user: SignedIn
) -> Response:
    with runtime.session() as session:
        owned(session, user.app_id, conversation_id)
        key = overview.media_key(session, conversation_id=conversation_id)
    if key is None:
        raise NotFound(f"conversation {conversation_id} has no media to play")
    return media_response(request, runtime.blobs, key)


@router.get("/conversations/{conversation_id}/export.{fmt}")
def export_transcript(conversation_id: str, fmt: str, runtime: RuntimeDep, user: SignedIn) -> Response:
    if fmt not in EXPORT_TYPES:
        raise NotFound(f"there is no {fmt!r} export; choose one of {', '.join(EXPORT_TYPES)}")
    with runtime.session() as session:
        conversation = owned(session, user.app_id, conversation_id)
        text = export.render(conversation_view.export_payload(session, conversation), fmt)
    disposition = f'attachment; filename="conversation-{conversation_id}.{fmt}"'
    return Response(
        text, media_type=f"{EXPORT_TYPES[fmt]}; charset=utf-8", headers={"Content-Disposition": disposition}
    )


@router.post("/conversations/{conversation_id}/members/{member_id}")
async def rename_member(
    conversation_id: str, member_id: str, request: Request, runtime: RuntimeDep, user: SignedIn
) -> Response:
    form = await checked_form(request, user)
    name = str(form.get("name") or "").strip()
    if not name or len(name) > MAX_NAME:
        raise BadRequest(f"a speaker's name must be 1 to {MAX_NAME} characters")
    with runtime.session() as session:
        conversation = owned(session, user.app_id, conversation_id)
        member = conversations.update_member(
            session, conversation=conversation, member_id=member_id, name=name, email=None
        )
        if member is None:
            raise NotFound(f"speaker {member_id} is not in conversation {conversation_id}")
    return RedirectResponse(f"/conversations/{conversation_id}#speakers", status_code=303)


@router.post("/conversations/{conversation_id}/share")
async def share_conversation(
    conversation_id: str, request: Request, runtime: RuntimeDep, user: SignedIn
) -> Response:
    form = await checked_form(request, user)
    raw = str(form.get("days") or "")
    days = int(raw) if raw.isdigit() else 0
    if days not in sharing.LIFETIMES_DAYS:
        raise BadRequest(f"a share link lasts one of {sharing.LIFETIMES_DAYS} days")
    with runtime.session() as session:
        conversation = owned(session, user.app_id, conversation_id)
    token = sharing.new_link(
        runtime.token_key, app_id=conversation.app_id, conversation_id=conversation_id, days=days
    )
    return RedirectResponse(f"/conversations/{conversation_id}?shared={token}#share", status_code=303)


@router.post("/conversations/{conversation_id}/delete")
async def delete_conversation(
    conversation_id: str, request: Request, runtime: RuntimeDep, user: SignedIn
) -> Response:
    await checked_form(request, user)
    overview.delete(runtime, app_id=user.app_id or "", conversation_id=conversation_id)
    return RedirectResponse("/?deleted=1", status_code=303)
