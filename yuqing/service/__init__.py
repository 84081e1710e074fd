"""The long-running service: a scheduler of periodic jobs, health and metrics endpoints, structured logs."""
