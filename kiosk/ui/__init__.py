"""What the member sees and hears: screens, widgets, theme, mirror, display, sound, keys."""
