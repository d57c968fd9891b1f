"""certify.practical."""
