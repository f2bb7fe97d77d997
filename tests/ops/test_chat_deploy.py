"""The web chat's deployment (docs/operations/install.md): daphne serves antoan.asgi behind
nginx's /ws/ with the upgrade headers, on the socket nginx points at."""

from __future__ import annotations

import configparser
import importlib
import re
import shutil
from pathlib import Path

from tests.ops.servers import ROOT

SYSTEMD = ROOT / "deploy" / "systemd"


def test_the_chat_service_runs_daphne_on_the_asgi_application_nginx_points_at():
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(SYSTEMD / "antoan-chat.service")
    service = parser["Service"]
    command = service["ExecStart"].replace("\\\n", " ").split()
    assert command[0] == "/srv/antoan/.venv/bin/daphne"
    # The program exists in this environment's venv, and takes these options.
    assert (Path(ROOT) / ".venv" / "bin" / "daphne").exists() or shutil.which("daphne")
    module, _, name = command[-1].partition(":")
    assert getattr(importlib.import_module(module), name) is not None
    socket = command[command.index("--unix-socket") + 1]
    assert service["EnvironmentFile"] == "/etc/antoan/env"
    assert service["Restart"] == "always"
    site = (ROOT / "deploy" / "nginx" / "antoan.conf").read_text()
    assert f"server unix:{socket}" in site
    location = re.search(r"location /ws/ \{(.*?)\}", site, re.DOTALL).group(1)
    assert "proxy_pass http://antoan_chat;" in location
    assert "proxy_http_version 1.1;" in location
    assert "proxy_set_header Upgrade $http_upgrade;" in location
    assert "proxy_set_header Connection $antoan_connection_upgrade;" in location
    assert "proxy_set_header X-Real-IP $remote_addr;" in location
