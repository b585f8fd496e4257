"""The running kiosk: the station, its parts, the main loop, sd_notify, logs, run summary."""
