"""certify.institutions."""
