"""Signing in and out, the session cookie, CSRF on every form, and pages scoped to the account."""

from __future__ import annotations

from parley.models import WorkspaceRole
from tests.recordings_helpers import make_workspace
from tests.web.conftest import Said, Web, csrf_of

LINES = [Said("Ann", "Welcome to the quarterly review.", 0.0, 2.0)]


def test_pages_send_a_signed_out_browser_to_sign_in_and_back(web: Web) -> None:
    response = web.client.get("/trackers?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Ftrackers%3Fx%3D1"
    page = web.client.get(response.headers["location"])
    assert 'name="next" value="/trackers?x=1"' in page.text


def test_sign_in_sets_an_httponly_lax_cookie_and_wrong_credentials_are_refused(web: Web) -> None:
    token = csrf_of(web.client.get("/sign-in").text)
    wrong = {"csrf": token, "kind": "app", "appId": web.app_id, "appSecret": "not-it", "next": "/"}
    refused = web.client.post("/sign-in", data=wrong, follow_redirects=False)
    assert refused.status_code == 401
    assert "not right" in refused.text
    good = wrong | {"appSecret": web.app_secret, "next": "/trackers"}
    accepted = web.client.post("/sign-in", data=good, follow_redirects=False)
    assert accepted.status_code == 303 and accepted.headers["location"] == "/trackers"
    cookie = accepted.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "Acme sales" in web.client.get("/").text


def test_sign_in_never_redirects_off_site(web: Web) -> None:
    token = csrf_of(web.client.get("/sign-in").text)
    form = {"csrf": token, "kind": "app", "appId": web.app_id, "appSecret": web.app_secret}
    response = web.client.post("/sign-in", data=form | {"next": "//evil.example/x"}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_a_sign_in_without_the_pages_token_is_refused(web: Web) -> None:
    form = {"kind": "app", "appId": web.app_id, "appSecret": web.app_secret, "next": "/"}
    response = web.client.post("/sign-in", data=form, follow_redirects=False)
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]


def test_every_form_post_needs_the_sessions_csrf_token(web: Web) -> None:
    conversation_id = web.add_conversation("Review", LINES)
    token = web.sign_in()
    posts = [
        (f"/conversations/{conversation_id}/delete", {}),
        (f"/conversations/{conversation_id}/share", {"days": "7"}),
        ("/trackers", {"name": "Pricing", "vocabulary": "price"}),
        ("/sign-out", {}),
    ]
    for path, form in posts:
        for forged in ({}, {"csrf": "x" + token}):
            response = web.client.post(path, data=form | forged, follow_redirects=False)
            assert response.status_code == 403, (path, forged, response.text)
    assert web.client.get(f"/conversations/{conversation_id}").status_code == 200
    assert "Pricing" not in web.client.get("/trackers").text


def test_another_accounts_conversation_is_not_found_anywhere(web: Web) -> None:
    other_app, _ = web.new_app()
    theirs = web.add_conversation("Their secret meeting", LINES, app_id=other_app)
    mine = web.add_conversation("Our review", LINES)
    token = web.sign_in()
    library = web.client.get("/").text
    assert "Our review" in library and "Their secret meeting" not in library
    for path in ("", "/status", "/media", "/export.srt"):
        response = web.client.get(f"/conversations/{theirs}{path}")
        assert response.status_code == 404, path
    member_form = {"csrf": token, "name": "Mallory"}
    for path, form in (("/delete", {"csrf": token}), ("/share", {"csrf": token, "days": "1"})):
        assert web.client.post(f"/conversations/{theirs}{path}", data=form).status_code == 404
    assert web.client.post(f"/conversations/{theirs}/members/x", data=member_form).status_code == 404
    assert web.client.get(f"/conversations/{mine}").status_code == 200


def test_a_workspace_key_signs_in_to_the_workspaces_recordings(web: Web) -> None:
    workspace = make_workspace(
        web.runtime, name="Claap team", members=(("ada@example.com", WorkspaceRole.member),)
    )
    token = csrf_of(web.client.get("/sign-in").text)
    wrong = web.client.post("/sign-in", data={"csrf": token, "kind": "workspace", "workspaceKey": "nope"})
    assert wrong.status_code == 401
    response = web.client.post(
        "/sign-in",
        data={"csrf": token, "kind": "workspace", "workspaceKey": workspace.key, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    library = web.client.get("/")
    assert library.status_code == 200
    assert "Claap team" in library.text
    assert 'id="channel"' in library.text  # recordings are filtered by channel


def test_sign_out_ends_the_session(web: Web) -> None:
    token = web.sign_in()
    response = web.client.post("/sign-out", data={"csrf": token}, follow_redirects=False)
    assert response.status_code == 303
    assert web.client.get("/", follow_redirects=False).status_code == 303
