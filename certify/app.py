"""The application factory: it only wires extensions, blueprints, error handlers, request hooks and commands."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, g, request
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter

from certify.config import PROJECT_ROOT, build_config
from certify.core.db import db, reset_request_mode, set_read_only_request
from certify.core.i18n import babel, select_locale

csrf = CSRFProtect()
migrate = Migrate(render_as_batch=True, compare_type=True)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class DatabaseId(IntegerConverter):
    """`<int:…>` limited to what an integer primary key can hold on PostgreSQL and SQLite."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config_object=None) -> Flask:
    """Build a configured application."""
    app = Flask(
        "certify",
        root_path=str(PROJECT_ROOT / "certify"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(build_config(config_object))
    # Ids in URLs are database integers: a number beyond their range is simply not found (404), never a 500.
    app.url_map.converters["int"] = DatabaseId
    _import_models()
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    logging.getLogger("certify").setLevel(logging.INFO)
    return app


def _import_models() -> None:
    """Import every model module so that the metadata (and migrations) see all tables."""
    from certify.applications import models as _applications  # noqa: F401
    from certify.auth import models as _auth  # noqa: F401
    from certify.bank import models as _bank  # noqa: F401
    from certify.exams import models as _exams  # noqa: F401
    from certify.institutions import models as _institutions  # noqa: F401
    from certify.ladder import models as _ladder  # noqa: F401
    from certify.recusal import models as _recusal  # noqa: F401
    from certify.scheduler import models as _scheduler  # noqa: F401
    from certify.supervision import models as _supervision  # noqa: F401


def register_extensions(app: Flask) -> None:
    from certify.auth.login import login_manager

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")


def register_request_hooks(app: Flask) -> None:
    from flask_login import current_user

    from certify.supervision import audit

    @app.before_request
    def _refuse_control_characters():
        # NUL cannot be stored in PostgreSQL text and has no business in any field: refuse it, naming the field.
        for source in (request.args, request.form):
            for field, value in source.items(multi=True):
                if "\x00" in value or "\x00" in field:
                    from flask_babel import gettext as _

                    from certify.core.errorpages import render_error

                    return render_error(400, _("The field %(field)s contains a NUL character.", field=field[:60]))
        return None

    @app.before_request
    def _begin_request():
        g.request_id = request.headers.get("X-Request-Id", "")[:40] or secrets.token_hex(8)
        g.db_mode = set_read_only_request(request.method in SAFE_METHODS)
        ip = request.remote_addr or "unknown"
        g.audit_token = audit.set_actor(audit.Actor(None, "anonymous", g.request_id, ip))
        if current_user.is_authenticated:
            audit.set_actor(audit.Actor(current_user.id, current_user.username, g.request_id, ip))

    @app.teardown_request
    def _end_request(exc):
        token = g.pop("db_mode", None)
        if token is not None:
            reset_request_mode(token)
        audit_token = g.pop("audit_token", None)
        if audit_token is not None:
            audit.reset_actor(audit_token)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
        )
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if request.endpoint and not request.endpoint.startswith("static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def register_blueprints(app: Flask) -> None:
    from certify.applications.api import bp as applications_api_bp
    from certify.applications.views_appointments import bp as appointments_bp
    from certify.applications.views_bans import bp as bans_bp
    from certify.applications.views_candidate import bp as applications_bp
    from certify.applications.views_fasttrack import bp as fasttrack_bp
    from certify.applications.views_panel import bp as panel_bp
    from certify.applications.views_review import bp as application_review_bp
    from certify.applications.views_rulesets import bp as rulesets_bp
    from certify.auth.views import bp as auth_bp
    from certify.bank.views import bp as bank_bp
    from certify.bank.views_blueprints import bp as bank_blueprints_bp
    from certify.bank.views_elements import bp as bank_elements_bp
    from certify.bank.views_imports import bp as bank_imports_bp
    from certify.bank.views_stats import bp as bank_stats_bp
    from certify.core.views import bp as core_bp
    from certify.exams.api import bp as exam_api_bp
    from certify.exams.views_invigilate import bp as invigilate_bp
    from certify.exams.views_marking import bp as marking_bp
    from certify.exams.views_sessions import bp as exams_bp
    from certify.exams.views_take import bp as exam_take_bp
    from certify.institutions.views import bp as institutions_bp
    from certify.institutions.views_people import bp as people_bp
    from certify.institutions.views_registration import bp as registration_bp
    from certify.recusal.views import bp as recusal_bp
    from certify.recusal.views_draw import bp as recusal_draw_bp
    from certify.recusal.views_staff import bp as recusal_staff_bp
    from certify.recusal.views_training import bp as recusal_training_bp
    from certify.supervision.views import bp as supervision_bp

    blueprints = (
        core_bp,
        auth_bp,
        institutions_bp,
        people_bp,
        supervision_bp,
        recusal_bp,
        recusal_training_bp,
        recusal_draw_bp,
        recusal_staff_bp,
        registration_bp,
        applications_bp,
        application_review_bp,
        applications_api_bp,
        fasttrack_bp,
        panel_bp,
        appointments_bp,
        bans_bp,
        rulesets_bp,
        bank_bp,
        bank_elements_bp,
        bank_imports_bp,
        bank_blueprints_bp,
        bank_stats_bp,
        exams_bp,
        exam_take_bp,
        exam_api_bp,
        invigilate_bp,
        marking_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    from certify.core.errorpages import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from certify.bank.rendering import question_html
    from certify.core.templating import register

    register(app)
    app.jinja_env.filters["question_html"] = question_html


def register_commands(app: Flask) -> None:
    from certify.core.cli import seed_demo_command
    from certify.scheduler.cli import scheduler_cli
    from certify.supervision.cli import audit_cli

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(scheduler_cli)
    from certify.auth.cli import users_cli
    from certify.bank import cli_assemble as _assemble  # noqa: F401  (adds `bank assemble` to the group)
    from certify.bank import cli_import as _import  # noqa: F401  (adds `bank import` to the group)
    from certify.bank.cli import bank_cli
    from certify.ladder.cli import ladder_cli
    from certify.recusal.cli import recusal_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(recusal_cli)
    app.cli.add_command(ladder_cli)
    app.cli.add_command(bank_cli)
