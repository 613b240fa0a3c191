"""The shareable summary page: what a share link (`parley.conversations.sharing`) opens, read-only.

A tampered or expired token answers 403.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from parley.api.deps import RuntimeDep
from parley.conversations import service as conversations
from parley.conversations.overview import media_key
from parley.conversations.sharing import verify
from parley.errors import NotFound
from parley.web import conversation_view
from parley.web.media import media_response
from parley.web.templating import page

router = APIRouter()


@router.get("/share/{token}", response_class=HTMLResponse)
def shared_page(token: str, request: Request, runtime: RuntimeDep) -> Response:
    shared = verify(runtime.token_key, token, now=time.time())
    with runtime.session() as session:
        conversation = conversations.get(
            session, app_id=shared.app_id, conversation_id=shared.conversation_id
        )
        if conversation is None:
            raise NotFound("the conversation this link shares was deleted")
        view = conversation_view.build(session, conversation)
        return page(
            request,
            "conversation.html",
            {
                "view": view,
                "read_only": True,
                "media_url": f"/share/{token}/media",
                "expires": shared.expires,
            },
            session=None,
            # the token is the key to the page: never send it on to other sites
            headers={"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"},
        )


@router.get("/share/{token}/media")
def shared_media(token: str, request: Request, runtime: RuntimeDep) -> Response:
    shared = verify(runtime.token_key, token, now=time.time())
    with runtime.session() as session:
        if conversations.get(session, app_id=shared.app_id, conversation_id=shared.conversation_id) is None:
            raise NotFound("the conversation this link shares was deleted")
        key = media_key(session, conversation_id=shared.conversation_id)
    if key is None:
        raise NotFound("this conversation has no media to play")
    return media_response(request, runtime.blobs, key)
