"""Read-only summaries of what the pipeline holds, for people."""
