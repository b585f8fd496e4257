"""A member's session: plans, the running session, statistics, cues, recording, progression."""
