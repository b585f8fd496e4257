"""The running kiosk: the main loop, its options, the station's parts, doctor and run summary."""
