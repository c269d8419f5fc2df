"""From test outcomes to a verdict: results, accepted deviations (baseline), exit codes."""
