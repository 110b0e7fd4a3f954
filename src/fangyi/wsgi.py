import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
# Web requests get the database statement timeout (settings.FANGYI_DB_STATEMENT_TIMEOUT_MS).
os.environ.setdefault("FANGYI_PROCESS", "web")
application = get_wsgi_application()
