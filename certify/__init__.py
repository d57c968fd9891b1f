"""certify: a skills-certification exam and assessment platform."""


def create_app(config_object=None):
    """Build the Flask application (imported lazily so that pure modules load without Flask wiring)."""
    from certify.app import create_app as _create_app

    return _create_app(config_object)
