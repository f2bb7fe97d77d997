import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antoan.settings")
application = get_wsgi_application()

from antoan.core.checks import refuse_to_serve_without_settings  # noqa: E402 - after setup

refuse_to_serve_without_settings()
