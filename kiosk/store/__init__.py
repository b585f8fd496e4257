"""The station database: connection, migrations, members, sessions, retention, export."""
