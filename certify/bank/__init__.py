"""certify.bank."""
