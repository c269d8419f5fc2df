"""What the suite may change on a target, and removing what it created."""
