"""The sample nginx site in front of gunicorn with the sample config: TLS, the request id
passed through, HTTP sent to HTTPS, and no query string in the access log."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.ops.servers import ROOT, NoRedirect, clean_env, start_gunicorn


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def nginx():
    path = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if path is None:
        if os.environ.get("REQUIRE_NGINX"):
            pytest.fail("nginx is not installed (apt-get install nginx-light)")
        pytest.skip("nginx is not installed")
    return path


def test_nginx_and_gunicorn_serve_the_site_over_tls_without_query_strings_in_the_log(
    nginx, tmp_path
):
    http_port, https_port = _free_port(), _free_port()
    subprocess.run(  # noqa: S603 - fixed program
        [
            shutil.which("openssl") or "/usr/bin/openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(tmp_path / "privkey.pem"),
            "-out",
            str(tmp_path / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    site = (ROOT / "deploy" / "nginx" / "antoan.conf").read_text()
    site = (
        site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
        .replace("/etc/ssl/antoan/", f"{tmp_path}/")
        .replace("/run/antoan/gunicorn.sock", f"{tmp_path}/gunicorn.sock")
        .replace("/var/log/nginx/antoan.access.log", f"{tmp_path}/access.log")
        .replace("/srv/antoan/var/static/", f"{tmp_path}/static/")
    )
    (tmp_path / "site.conf").write_text(site)
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / folder).mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"user root;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n client_body_temp_path {tmp_path}/body;\n proxy_temp_path {tmp_path}/proxy;\n"
        f" fastcgi_temp_path {tmp_path}/fastcgi;\n uwsgi_temp_path {tmp_path}/uwsgi;\n"
        f" scgi_temp_path {tmp_path}/scgi;\n include {tmp_path}/site.conf;\n}}\n"
    )
    conf = ["-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]
    check = subprocess.run([nginx, "-t", *conf], capture_output=True, text=True, check=False)  # noqa: S603
    assert check.returncode == 0, check.stderr

    env = clean_env(
        ANTOAN_ENV="test",
        ANTOAN_VAR_DIR=str(tmp_path),
        GUNICORN_BIND=f"unix:{tmp_path}/gunicorn.sock",
        GUNICORN_WORKERS="1",
    )
    app = start_gunicorn(env, stderr=(tmp_path / "gunicorn.log").open("w"))
    web = subprocess.Popen([nginx, "-g", "daemon off;", *conf])  # noqa: S603
    tls = ssl.create_default_context()
    tls.check_hostname = False
    tls.verify_mode = ssl.CERT_NONE
    https = f"https://127.0.0.1:{https_port}"
    try:
        for _ in range(150):
            try:
                alive = urllib.request.urlopen(f"{https}/healthz", context=tls, timeout=2)  # noqa: S310
                break
            except (OSError, urllib.error.HTTPError):
                time.sleep(0.2)
        else:
            pytest.fail(
                "the site did not come up: "
                + (tmp_path / "error.log").read_text()[-300:]
                + (tmp_path / "gunicorn.log").read_text()[-1000:]
            )
        assert alive.status == 200
        assert len(alive.headers["X-Request-ID"]) == 32  # nginx's $request_id, kept by the app

        opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=tls))
        with pytest.raises(urllib.error.HTTPError) as moved:
            opener.open(f"{https}/favicon.ico?ten=Nguyen%20Thi%20Hoa", timeout=5)
        assert moved.value.code == 301
        with pytest.raises(urllib.error.HTTPError) as plain:
            opener.open(f"http://127.0.0.1:{http_port}/cases/mine/", timeout=5)
        assert plain.value.code == 301
        assert plain.value.headers["Location"].startswith("https://")
    finally:
        web.terminate()
        app.terminate()
        web.wait(timeout=30)
        app.wait(timeout=30)
    log = (tmp_path / "access.log").read_text()
    assert '"GET /favicon.ico HTTP/1.1" 301' in log
    assert "Nguyen" not in log and "ten=" not in log
