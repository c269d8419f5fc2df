"""How the suite talks to a target: tokens, the scenario client, pacing, exchanges as shown."""
