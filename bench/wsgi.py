"""The portal's WSGI application with the hello-world view added, for the HTTP load run.

    gunicorn bench.wsgi    # what ``python -m bench.http`` starts

Production settings come from the environment as usual; only the URLconf differs, so the
yardstick goes through the same gunicorn, middleware and settings as every page measured.
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "complaints_portal.settings")
# Set before the application loads, as bench.run does with override_settings: the hello
# view must not exist in the portal's own URLconf.
settings.ROOT_URLCONF = "bench.urls"
application = get_wsgi_application()
