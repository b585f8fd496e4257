"""Deploying a station: database copies around a version switch, the post-switch health facts."""
