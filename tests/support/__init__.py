"""Shared test doubles and generators: a synthetic walker, scripted and flaky sources."""
