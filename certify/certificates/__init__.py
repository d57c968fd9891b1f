"""certify.certificates."""
