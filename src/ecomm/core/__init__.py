"""What the three roles share: settings, domain, events, AWS adapters and plumbing."""
