"""Logs carry the request id and the user id, and never a survivor's name."""

from __future__ import annotations

import json
import logging

from antoan.core.logs import JsonFormatter, RequestContextFilter, personal_data_in


def _capture():
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    return handler, records


def test_a_log_line_of_a_request_has_its_id_the_user_id_and_the_path_without_query(
    client_for, cast
):
    handler, records = _capture()
    logging.getLogger("django.request").addHandler(handler)
    try:
        response = client_for(cast["worker1"]).get(
            "/no-such-page/?q=Nguy%E1%BB%85n", HTTP_X_REQUEST_ID="req-12345678"
        )
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    assert response.status_code == 404
    (line,) = [json.loads(r) for r in records]
    assert line["level"] == "WARNING"
    assert line["request_id"] == "req-12345678"
    assert line["user_id"] == cast["worker1"].pk
    assert line["request"] == "GET /no-such-page/"
    assert line["status"] == 404
    assert "Nguy" not in json.dumps(line, ensure_ascii=False)
    assert line["time"].endswith("+07:00") or line["time"][-6] in "+-"


def test_after_a_request_a_line_has_no_request_fields(client, db):
    client.get("/healthz", HTTP_X_REQUEST_ID="req-finished-1")  # cleared when it finishes
    handler, records = _capture()
    logger = logging.getLogger("antoan.test")
    logger.addHandler(handler)
    try:
        logger.warning("Job %s failed", 42)
    finally:
        logger.removeHandler(handler)
    line = json.loads(records[0])
    assert line["message"] == "Job 42 failed"
    assert "request_id" not in line and "user_id" not in line


def test_the_scan_finds_a_name_however_the_line_escapes_it():
    escaped = json.dumps({"message": "Nguyễn Thị Hòa"})  # \u1ec5 escapes
    plain = '{"message": "case 12 opened"}'
    assert personal_data_in([escaped, plain, "NGUYỄN THỊ HÒA in text"], ["Nguyễn Thị Hòa"]) == [
        escaped,
        "NGUYỄN THỊ HÒA in text",
    ]
