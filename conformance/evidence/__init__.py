"""What the run sent and received, attributed to the test that sent it; nothing about verdicts."""
