"""The site as an ASGI application: pages and API as in antoan/wsgi.py, plus the web chat's
websockets (docs/hotline.md, "Web chat"). Served by daphne (deploy/systemd/antoan-chat.service;
`make run`'s runserver is daphne's too).

Websockets are accepted only from the site's own pages (the Origin must be an allowed host)
and carry the session cookie, for the operators' side; the visitor's side needs none.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antoan.settings")
# Set Django up before importing anything that reaches the models.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from antoan.core.checks import refuse_to_serve_without_settings  # noqa: E402
from antoan.hotline.routing import websocket_urlpatterns  # noqa: E402

refuse_to_serve_without_settings()

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
