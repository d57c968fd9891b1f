"""WSGI entry point: `flask --app wsgi …` and `gunicorn wsgi:app`."""

from certify import create_app

app = create_app()
