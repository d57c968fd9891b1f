"""certify.auth."""
