"""The kiosk's link to the vision side: the service it opens, its status facts, the snapshots."""
