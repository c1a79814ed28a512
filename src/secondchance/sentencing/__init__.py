"""Release-date and eligibility computation, with a timeline that explains each date."""
