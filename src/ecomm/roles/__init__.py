"""The three roles one image runs: web, lookup and order. Each imports core, never another role."""
