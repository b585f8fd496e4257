"""``backstep doctor``: checks that this machine can run a session, each with its fix."""
