"""Applications (申报): eligibility, evidence, the double pledge, review; fast track and appointments."""
