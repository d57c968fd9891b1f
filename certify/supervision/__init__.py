"""certify.supervision."""
