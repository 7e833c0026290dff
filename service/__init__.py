"""The production service: the processes, nginx and systemd files (rendered from templates/),
the users and the schema migrations."""
