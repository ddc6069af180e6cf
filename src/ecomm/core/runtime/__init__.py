"""What every process runs on: settings, logs, metrics, the HTTP server, the composition root."""
