"""certify.scheduler."""
