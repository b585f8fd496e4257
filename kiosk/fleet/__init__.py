"""Stations of one gym sharing members and history through a central PostgreSQL."""
