"""The trainers' web dashboard: members' progress from the station (or fleet) database."""
