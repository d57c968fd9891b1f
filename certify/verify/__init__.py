"""certify.verify."""
