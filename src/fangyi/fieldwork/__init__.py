"""Field work: tasks for grid teams and volunteers — home sampling, visits, deliveries."""
