"""The treadmill and heart rate in the kiosk: doctor lines now, the session's use of them later."""
