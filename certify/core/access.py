"""Access helpers: every route declares who may use it; object-level checks say 404 for what is not yours."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort
from flask_login import current_user

from certify.auth.models import Role

#: staff roles of a certification body
STAFF_ROLES = frozenset(Role) - {Role.CANDIDATE}


def roles_required(*roles: Role) -> Callable:
    """Allow the view to users holding any of `roles` (401 → login for anonymous visitors, 403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from certify.auth.login import login_manager

                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # read by the access-matrix test
        return wrapped

    return decorator


def login_required(view: Callable) -> Callable:
    """Any signed-in user."""
    return roles_required(*Role)(view)


def public(view: Callable) -> Callable:
    """Mark a view as deliberately open to anonymous visitors (the access-matrix test reads the mark)."""
    view.is_public = True
    return view


def own_body_or_404(obj_body_id: int | None) -> None:
    """Staff see only their own body's objects; anything else does not exist for them."""
    if current_user.body_id is None or obj_body_id != current_user.body_id:
        abort(404)
