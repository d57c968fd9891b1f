"""certify.recusal."""
