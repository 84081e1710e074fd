"""The Kibana export: valid against our schema, and every aggregated field aggregatable on the real node."""

from __future__ import annotations

import json

from dashboards import kibana


def test_export_validates_against_our_schema():
    text = kibana.to_ndjson(kibana.saved_objects("yuqing"))
    assert kibana.schema_errors(text) == []
    types = [json.loads(line)["type"] for line in text.splitlines()]
    assert types.count("index-pattern") == 3 and types[-1] == "dashboard"


def test_schema_check_catches_broken_objects():
    objects = kibana.saved_objects("yuqing")
    objects[3]["references"][0]["id"] = "missing-view"
    del objects[0]["attributes"]["timeFieldName"]
    objects[-1]["attributes"]["panelsJSON"] = "{not json"
    errors = kibana.schema_errors(kibana.to_ndjson(objects))
    assert any("timeFieldName" in e for e in errors)
    assert any("missing-view" in e for e in errors)
    assert any("panelsJSON" in e for e in errors)


def test_cli_prints_the_export(capsys, monkeypatch):
    from yuqing.cli import main

    monkeypatch.setenv("YUQING_INDEX_PREFIX", "bureau")
    assert main(["kibana", "export"]) == 0
    out = capsys.readouterr().out
    assert kibana.schema_errors(out) == []
    assert '"title": "bureau-posts"' in out


def test_fields_exist_are_aggregatable_and_time_fields_are_dates(store):
    objects = kibana.saved_objects(store.prefix)
    for title, fields in kibana.aggregated_fields(objects).items():
        name = title[len(store.prefix) + 1:]
        view = next(o for o in objects if o["type"] == "index-pattern" and o["attributes"]["title"] == title)
        time_field = view["attributes"]["timeFieldName"]
        caps = store.field_caps(name, sorted(fields | {time_field}))
        assert set(caps[time_field]) == {"date"}, (title, time_field)
        for fld in fields:
            assert fld in caps, f"{title}: {fld} missing"
            assert all(c["aggregatable"] for c in caps[fld].values()), f"{title}: {fld} not aggregatable"
