"""The kiosk's screen flow as pure logic: screens, events, effects and sub-states."""
