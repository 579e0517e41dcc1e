"""Fleet triage: the findings of every image in scope, grouped, covered and exported."""
