"""Backstep hardware: GPIO buttons, status LED and buzzer through gpiozero."""
