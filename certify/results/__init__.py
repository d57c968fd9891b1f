"""certify.results."""
