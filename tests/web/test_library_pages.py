"""The library (search, filters, pages, recordings by channel) and the trackers page."""

from __future__ import annotations

from datetime import UTC, datetime

from parley.intel.model import Analysis, MessageRef, TrackerHit, TrackerMatch
from parley.models import Conversation, WorkspaceRole
from parley.recordings import service as recordings
from parley.trackers import service as trackers
from tests.recordings_helpers import make_workspace
from tests.web.conftest import Said, Web, csrf_of


def _hit(name: str, message_id: str) -> Analysis:
    match = TrackerMatch(value="price", messageRefs=[MessageRef(id=message_id, text="", offset=0)])
    return Analysis(trackers=[TrackerHit(id="t1", name=name, matches=[match])])


def test_search_finds_words_said_and_links_to_the_moment(web: Web) -> None:
    found = web.add_conversation("Kickoff", [Said("Ann", "The budget_100% is approved today.", 3.0, 5.0)])
    web.add_conversation("Retro", [Said("Bob", "We shipped the release.", 0.0, 2.0)])
    web.sign_in()
    page = web.client.get("/", params={"q": "BUDGET_100%"}).text
    assert "Kickoff" in page and "Retro" not in page
    message_id = web.message_ids(found)[0]
    assert f'href="/conversations/{found}#m-{message_id}"' in page
    assert "1 conversation match" in page
    # LIKE wildcards in the search are taken literally
    assert "Kickoff" not in web.client.get("/", params={"q": "budget_1000"}).text
    assert "Retro" in web.client.get("/", params={"q": "retro"}).text  # the name counts too


def test_filter_by_tracker_hit_and_date(web: Web) -> None:
    pricing = web.add_conversation("Pricing call", [Said("Ann", "What is the price?", 0.0, 2.0)])
    with web.runtime.session() as session:
        session.get(Conversation, pricing).start_time = datetime(2024, 3, 5, 10, tzinfo=UTC)
    web.set_analysis(pricing, _hit("Pricing", web.message_ids(pricing)[0]))
    web.add_conversation("Hiring chat", [Said("Bob", "We need one more engineer.", 0.0, 2.0)])
    web.sign_in()
    by_tracker = web.client.get("/", params={"tracker": "Pricing"}).text
    assert "Pricing call" in by_tracker and "Hiring chat" not in by_tracker
    by_date = web.client.get("/", params={"from": "2024-03-05", "to": "2024-03-05"}).text
    assert "Pricing call" in by_date and "Hiring chat" not in by_date
    after = web.client.get("/", params={"from": "2024-03-06"}).text
    assert "Pricing call" not in after and "Hiring chat" in after
    bad = web.client.get("/", params={"from": "March"})
    assert bad.status_code == 200 and "expected a date" in bad.text


def test_the_library_is_paged(web: Web) -> None:
    for number in range(23):
        web.add_conversation(f"Meeting {number:02d}", [Said("Ann", "Hello.", 0.0, 1.0)])
    web.sign_in()
    first = web.client.get("/").text
    assert "23 conversations" in first and "Page 1 of 2" in first
    assert "Meeting 22" in first and "Meeting 02" not in first
    second = web.client.get("/", params={"page": 2}).text
    assert "Meeting 02" in second and "Meeting 22" not in second and 'rel="prev"' in second


def test_recordings_show_their_channel_and_state_and_filter_by_channel(web: Web) -> None:
    workspace = make_workspace(web.runtime, members=(("ada@example.com", WorkspaceRole.member),))
    for channel, title in zip(workspace.channels, ("General sync", "Sales demo"), strict=True):
        recordings.create(
            web.runtime,
            web.client.app.state.runner,  # type: ignore[attr-defined]
            workspace_id=workspace.id,
            author_email="ada@example.com",
            channel_id=channel,
            title=title,
            meeting=None,
            deal=None,
            download_url=None,
            expects_transcript=False,
        )
    token = csrf_of(web.client.get("/sign-in").text)
    web.client.post("/sign-in", data={"csrf": token, "kind": "workspace", "workspaceKey": workspace.key})
    page = web.client.get("/").text
    assert "General sync" in page and "Sales demo" in page and "Waiting for media" in page
    sales = web.client.get("/", params={"channel": workspace.channels[1]}).text
    assert "Sales demo" in sales and "General sync" not in sales


def test_trackers_are_created_edited_deleted_and_show_where_they_fired(web: Web) -> None:
    token = web.sign_in()
    created = web.client.post(
        "/trackers", data={"csrf": token, "name": "Pricing", "vocabulary": "price\nhow much\n"}
    )
    assert created.status_code == 200 and "how much" in created.text
    duplicate = web.client.post("/trackers", data={"csrf": token, "name": "Pricing", "vocabulary": "cost"})
    assert duplicate.status_code == 409 and "already exists" in duplicate.text
    bad = web.client.post("/trackers", data={"csrf": token, "name": "Bad", "vocabulary": "(x)"})
    assert bad.status_code == 400 and "parentheses" in bad.text

    with web.runtime.session() as session:
        tracker = trackers.get_by_name(session, app_id=web.app_id, name="Pricing")
        assert tracker is not None
        tracker_id = tracker.id
    conversation_id = web.add_conversation("Deal review", [Said("Ann", "What is the price?", 0.0, 2.0)])
    web.set_analysis(conversation_id, _hit("Pricing", web.message_ids(conversation_id)[0]))
    listed = web.client.get("/trackers").text
    assert f'href="/conversations/{conversation_id}#tracker-hits">Deal review</a> · 1 moment' in listed

    edited = web.client.post(
        f"/trackers/{tracker_id}", data={"csrf": token, "name": "Money", "vocabulary": "price, budget"}
    )
    assert edited.status_code == 200 and "Money" in edited.text and "budget" in edited.text
    deleted = web.client.post(f"/trackers/{tracker_id}/delete", data={"csrf": token})
    assert deleted.status_code == 200 and "Money" not in deleted.text
    assert web.client.post(f"/trackers/{tracker_id}/delete", data={"csrf": token}).status_code == 404
