"""certify.ladder."""
