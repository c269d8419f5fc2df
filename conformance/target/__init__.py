"""What the suite runs against: the target, how it is started, and its control plane if any."""
