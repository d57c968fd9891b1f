"""certify.exams."""
