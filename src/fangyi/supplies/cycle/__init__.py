"""The daily cycle of supplies: cut-offs per community, the batch formed at each cut-off, its
pick list and delivery lists, and its deliveries as field-work tasks."""
