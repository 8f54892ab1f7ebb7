"""Golden sets, the runner, metrics, reports and plots."""
