"""Supplies to the door: requests from households (packages, goods, medicines, daily help),
the catalogue they order from, their clocks, states, deliveries and costs."""
