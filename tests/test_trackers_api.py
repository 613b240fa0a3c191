"""Tracker management over HTTP, and trackers detected in text and speech jobs (also via symbl-rest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import symbl_rest

from tests.conftest import Api, SymblServer
from tests.support import espeak, wait_for_job

PROMOTION = {"name": "Promotion", "vocabulary": ["We have a sale right now on", "discount"]}
COVID = {"name": "COVID-19", "vocabulary": ["wear mask", "social distancing"]}


def _post(api: Api, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    return api.client.post(path, json=body, headers=headers or api.headers)


def test_create_read_list_replace_delete(api: Api) -> None:
    created = _post(api, "/v1/manage/tracker", PROMOTION | {"description": "Offers", "languages": ["en-US"]})
    assert created.status_code == 201, created.text
    tracker = created.json()["tracker"]
    assert tracker["name"] == "Promotion" and tracker["vocabulary"] == PROMOTION["vocabulary"]
    assert (
        tracker["id"].isdigit() and tracker["createdOn"].endswith("Z") and tracker["languages"] == ["en-US"]
    )
    path = f"/v1/manage/tracker/{tracker['id']}"
    assert api.get(path).json()["tracker"] == tracker
    assert api.get(f"/v1/manage/trackers/{tracker['id']}").json()["tracker"] == tracker
    assert [t["id"] for t in api.get("/v1/manage/trackers").json()["trackers"]] == [tracker["id"]]
    assert api.get("/v1/manage/trackers", params={"name": "Other"}).json() == {"trackers": []}

    replaced = api.client.put(
        path, json={"name": "Promotions", "vocabulary": ["special offer"]}, headers=api.headers
    )
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()["tracker"]
    assert (
        body["name"] == "Promotions" and body["vocabulary"] == ["special offer"] and "description" not in body
    )
    assert body["createdOn"] == tracker["createdOn"] and body["updatedOn"] >= tracker["updatedOn"]

    deleted = api.client.delete(path, headers=api.headers)
    assert deleted.json() == {"id": tracker["id"], "type": "tracker", "deleted": True}
    assert api.get(path).status_code == 404


def test_duplicates_are_409_and_bulk_is_all_or_nothing(api: Api) -> None:
    assert _post(api, "/v1/manage/trackers", PROMOTION).status_code == 201  # the newer single-create path
    again = _post(api, "/v1/manage/tracker", PROMOTION)
    assert again.status_code == 409 and "Promotion" in again.json()["message"]
    bulk = _post(api, "/v1/manage/trackers", [COVID, PROMOTION])
    assert bulk.status_code == 409 and "Promotion" in bulk.json()["message"]
    assert [t["name"] for t in api.get("/v1/manage/trackers").json()["trackers"]] == ["Promotion"]
    within = _post(api, "/v1/manage/trackers/bulk", [COVID, COVID])
    assert within.status_code == 409 and "COVID-19" in within.json()["message"]
    many = _post(api, "/v1/manage/trackers/bulk", [COVID, {"name": "Budget", "vocabulary": ["budget"]}])
    assert many.status_code == 201 and [t["name"] for t in many.json()["trackers"]] == ["COVID-19", "Budget"]


def test_bad_bodies_are_400_naming_the_field(api: Api) -> None:
    cases = [
        ({"name": "X", "vocabulary": []}, "vocabulary"),
        ({"name": "X"}, "vocabulary"),
        ({"name": "X", "vocabulary": ["a"] * 51}, "vocabulary"),
        ({"name": "X" * 101, "vocabulary": ["a"]}, "name"),
        ({"name": "X", "vocabulary": ["a" * 201]}, "vocabulary"),
        ({"name": "X", "vocabulary": ["price (monthly)"]}, "vocabulary"),
        ({"name": "X", "vocabulary": ["a"], "colour": "red"}, "colour"),
        ({"name": "X", "vocabulary": ["a"], "languages": ["english language"]}, "languages"),
    ]
    for body, field in cases:
        response = _post(api, "/v1/manage/tracker", body)
        assert response.status_code == 400 and field in response.json()["message"], (body, response.text)
    bulk = _post(api, "/v1/manage/trackers", [COVID, {"name": "Y", "vocabulary": []}])
    assert bulk.status_code == 400 and "1.vocabulary" in bulk.json()["message"]
    assert api.get("/v1/manage/trackers").json() == {"trackers": []}
    raw = api.client.post("/v1/manage/tracker", content=b"{oops", headers=api.headers)
    assert raw.status_code == 400


def test_json_patch(api: Api) -> None:
    tracker = _post(api, "/v1/manage/tracker", COVID).json()["tracker"]
    path = f"/v1/manage/trackers/{tracker['id']}"

    def patch(operations: Any, at: str = path) -> Any:
        return api.client.patch(at, json=operations, headers=api.headers)

    done = patch(
        [
            {"op": "add", "path": "/vocabulary/-", "value": "vaccination"},
            {"op": "replace", "path": "/vocabulary/0", "value": "wear a mask"},
            {"op": "remove", "path": "/vocabulary/1"},
            {"op": "add", "path": "/vocabulary/0", "value": "wash your hands"},
            {"op": "replace", "path": "/name", "value": "Health"},
            {"op": "add", "path": "/description", "value": "Safety at work"},
            {"op": "add", "path": "/categories/-", "value": "HR"},
        ]
    )
    assert done.status_code == 200, done.text
    body = done.json()["tracker"]
    assert body["vocabulary"] == ["wash your hands", "wear a mask", "vaccination"]
    assert (
        body["name"] == "Health" and body["description"] == "Safety at work" and body["categories"] == ["HR"]
    )
    older = patch([{"op": "remove", "path": "/description"}], f"/v1/manage/tracker/{tracker['id']}")
    assert older.status_code == 200 and "description" not in older.json()["tracker"]

    bad = [
        ([{"op": "move", "path": "/name", "value": "x"}], "op"),
        ([{"op": "replace", "path": "/id", "value": "1"}], "/id"),
        ([{"op": "replace", "path": "/vocabulary/9", "value": "x"}], "out of range"),
        ([{"op": "remove", "path": "/vocabulary/-"}], "'-'"),
        ([{"op": "replace", "path": "/name"}], "value"),
        ([{"op": "remove", "path": "/name"}], "name"),
        ([{"op": "replace", "path": "/vocabulary", "value": []}], "vocabulary"),
        ({"op": "replace", "path": "/name", "value": "x"}, "JSON Patch"),
    ]
    for operations, named in bad:
        response = patch(operations)
        assert response.status_code == 400 and named in response.json()["message"], (
            operations,
            response.text,
        )
    assert api.get(path).json()["tracker"]["name"] == "Health"  # nothing applied by a refused patch
    _post(api, "/v1/manage/tracker", PROMOTION)
    clash = patch([{"op": "replace", "path": "/name", "value": "Promotion"}])
    assert clash.status_code == 409


def test_another_apps_tracker_is_404_everywhere(api: Api) -> None:
    tracker = _post(api, "/v1/manage/tracker", PROMOTION).json()["tracker"]
    _, _, token = api.new_app()
    other = {"x-api-key": token}
    path = f"/v1/manage/tracker/{tracker['id']}"
    assert api.client.get(path, headers=other).status_code == 404
    assert api.client.put(path, json=COVID, headers=other).status_code == 404
    assert (
        api.client.patch(path, json=[{"op": "remove", "path": "/vocabulary/0"}], headers=other).status_code
        == 404
    )
    assert api.client.delete(path, headers=other).status_code == 404
    assert api.client.get("/v1/manage/trackers", headers=other).json() == {"trackers": []}
    assert _post(api, "/v1/manage/tracker", PROMOTION, other).status_code == 201  # names are per app
    refused = _post(api, "/v1/process/text", _text_job(trackers=[{"id": tracker["id"]}]), other)
    assert refused.status_code == 400 and tracker["id"] in refused.json()["message"]
    assert api.get("/v1/manage/tracker/404404").status_code == 404


def _text_job(**options: Any) -> dict[str, Any]:
    lines = [
        ("Ann", "Good morning, thanks for joining the call."),
        ("Ben", "Just so you know, we have a sale right now on all annual plans."),
        ("Ann", "Yes, we're running a sale right now."),
        ("Ben", "Please remember to wear masks in the shared office areas."),
        ("Ann", "The quarterly figures look fine."),
    ]
    messages = [{"payload": {"content": text}, "from": {"name": name}} for name, text in lines]
    return {"messages": messages, **options}


def _detected(api: Api, conversation_id: str) -> dict[str, dict[str, Any]]:
    response = api.get(f"/v1/conversations/{conversation_id}/trackers-detected")
    assert response.status_code == 200, response.text
    assert api.get(f"/v1/conversations/{conversation_id}/trackers").json() == response.json()
    return {hit["name"]: hit for hit in response.json()}


def test_text_job_with_inline_id_and_all_trackers(api: Api) -> None:
    covid = _post(api, "/v1/manage/tracker", COVID).json()["tracker"]
    _post(api, "/v1/manage/tracker", {"name": "Weather", "vocabulary": ["heavy snowfall"]})
    body = _text_job(trackers=[PROMOTION, {"id": covid["id"]}])
    accepted = _post(api, "/v1/process/text", body).json()
    job = api.wait(accepted["jobId"])
    assert job["status"] == "completed" and not any("tracker" in note for note in job.get("notes", []))
    hits = _detected(api, accepted["conversationId"])
    assert sorted(hits) == ["COVID-19", "Promotion"]  # Weather was not asked for and nothing matched it
    assert hits["COVID-19"]["id"] == covid["id"]
    sale = next(m for m in hits["Promotion"]["matches"] if m["value"] == "We have a sale right now on")
    verbatim = [ref for ref in sale["messageRefs"] if ref["offset"] >= 0]
    assert len(verbatim) == 1 and verbatim[0]["text"][verbatim[0]["offset"] :].startswith("we have a sale")
    assert any(ref["offset"] == -1 for m in hits["Promotion"]["matches"] for ref in m["messageRefs"])
    mask = hits["COVID-19"]["matches"][0]
    assert mask["value"] == "wear mask" and mask["type"] == "vocabulary" and mask["insightRefs"] == []

    everything = _post(api, "/v1/process/text", _text_job(enableAllTrackers=True)).json()
    api.wait(everything["jobId"])
    assert sorted(_detected(api, everything["conversationId"])) == ["COVID-19"]


def test_trackers_fire_on_real_speech(api: Api, tmp_path: Path) -> None:
    speech = espeak("Hello everyone. We have a big sale right now on all our laptops.", tmp_path / "sale.wav")
    response = api.client.post(
        "/v1/process/audio",
        params={"trackers": json.dumps([PROMOTION])},
        content=speech.read_bytes(),
        headers=api.headers | {"Content-Type": "audio/wav"},
    )
    assert response.status_code == 201, response.text
    assert api.wait(response.json()["jobId"], timeout=300)["status"] == "completed"
    hits = _detected(api, response.json()["conversationId"])
    assert "Promotion" in hits, api.get(
        f"/v1/conversations/{response.json()['conversationId']}/messages"
    ).text


def test_the_official_client_reads_detected_trackers(symbl_server: SymblServer) -> None:
    client = symbl_server.client
    body = symbl_rest.AsyncTextParameters(messages=_text_job()["messages"], trackers=[PROMOTION])
    accepted = symbl_rest.AsyncApi(client).add_text(body=body)
    jobs = symbl_rest.JobsApi(client)
    assert (
        wait_for_job(lambda: {"status": jobs.get_job_status(accepted.job_id).status})["status"] == "completed"
    )
    detected = symbl_rest.TrackersApi(client).get_trackers_by_conversation_id(accepted.conversation_id)
    [hit] = detected
    assert hit.name == "Promotion" and hit.matches[0].type == "vocabulary"
    assert {ref.offset for match in hit.matches for ref in match.message_refs} >= {-1}
