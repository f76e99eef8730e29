"""The archive's captures as WARC 1.1 (``vahti export --format warc``), written with warcio.

Each stored capture that kept a body becomes:

- a ``request`` record: the GET vahti sent (method, path, Host);
- a ``response`` record: the status line and the headers as they came, the body as stored,
  at the capture time. vahti stores bodies decoded, so ``Content-Encoding`` and
  ``Transfer-Encoding`` are left out and ``Content-Length`` is the stored body's;
  captures from before vahti kept headers (or imported files) become ``resource`` records
  instead: their headers were never seen, and none are made up;
- a ``metadata`` record (``application/warc-fields``): vahti's verdict, outcome, version and the
  record's content hash.
"""

from __future__ import annotations

import datetime as dt
import http
import io
import json
from typing import BinaryIO
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storage.models import Capture, MeasureRow, Site, Version
from storage.store import read_blob
from vahti import __version__
from vahti.urls import canonical_site

_DROPPED = {"content-encoding", "transfer-encoding", "content-length"}


def write_warc(session: Session, out: BinaryIO, *, site: str | None = None,
               since: dt.datetime | None = None) -> int:
    """Write every capture with a body (of ``site``, from ``since``) to ``out``; the records written."""
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record("vahti-export.warc.gz", {
        "software": f"vahti/{__version__}", "format": "WARC File Format 1.1",
        "description": "captures of Kausal Watch action pages, exported from a vahti archive"}))
    query = (select(Capture, MeasureRow.url, Version.number, Version.record_hash, Version.verdict, Version.parser)
             .outerjoin(MeasureRow, MeasureRow.id == Capture.measure_id)
             .outerjoin(Version, Version.id == Capture.version_id)
             .where(Capture.blob_id.is_not(None)).order_by(Capture.requested_at, Capture.id))
    if site is not None:
        query = query.join(Site, Site.id == MeasureRow.site_id).where(Site.base_url == canonical_site(site))
    if since is not None:
        query = query.where(Capture.requested_at >= since)
    n = 0
    for capture, measure_url, number, record_hash, version_verdict, parser in session.execute(query):
        assert capture.blob_id is not None
        url = measure_url or capture.url or ""
        body = read_blob(session, capture.blob_id)
        when = capture.requested_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        warc_headers = {"WARC-Date": when}
        if capture.headers and capture.http_status:
            request = _request(writer, url, when)
            writer.write_record(request)
            status = capture.http_status
            reason = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else ""
            headers = [(k, v) for k, v in json.loads(capture.headers) if k.lower() not in _DROPPED]
            headers.append(("Content-Length", str(len(body))))
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body),
                http_headers=StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1"),
                warc_headers_dict={**warc_headers, "WARC-Concurrent-To": request.rec_headers["WARC-Record-ID"]})
        else:
            record = writer.create_warc_record(url, "resource", payload=io.BytesIO(body), length=len(body),
                                               warc_content_type="text/html", warc_headers_dict=warc_headers)
        writer.write_record(record)
        fields = [f"outcome: {capture.outcome}", f"verdict: {capture.verdict or version_verdict or '-'}"]
        if number is not None:
            fields += [f"version: {number}", f"record-hash: {record_hash}", f"parser: {parser}"]
        if capture.error:
            fields.append(f"error: {' '.join(capture.error.split())[:500]}")
        meta = ("\r\n".join(fields) + "\r\n").encode("utf-8")
        writer.write_record(writer.create_warc_record(
            url, "metadata", payload=io.BytesIO(meta), length=len(meta), warc_content_type="application/warc-fields",
            warc_headers_dict={**warc_headers, "WARC-Refers-To": record.rec_headers["WARC-Record-ID"]}))
        n += 1
    return n


def _request(writer: WARCWriter, url: str, when: str):  # type: ignore[no-untyped-def]
    parts = urlsplit(url)
    headers = StatusAndHeaders(f"GET {parts.path or '/'} HTTP/1.1", [("Host", parts.netloc)], is_http_request=True)
    return writer.create_warc_record(url, "request", http_headers=headers, warc_headers_dict={"WARC-Date": when})
