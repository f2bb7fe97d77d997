"""The site's ASGI application (antoan.asgi) with its static files, for the browser tests'
daphne (tests/browser/test_helpline_chat_websocket.py).

In production nginx serves /static/ and only /ws/ reaches daphne; ``make run``'s runserver adds
the static files itself. The test profile has neither, so the pages' scripts would not load:
this wraps the real application, unchanged, in Django's ASGIStaticFilesHandler (what
pytest-django's live server does for WSGI). Pages, API and websockets are antoan.asgi's own.
"""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from antoan.asgi import application as site

application = ASGIStaticFilesHandler(site)
