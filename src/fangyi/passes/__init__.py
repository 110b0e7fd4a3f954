"""Couriers' passes (保供人员通行证): a whitelist of couriers, drivers and volunteers, and the
signed pass each carries, valid only while they are green and recently tested negative."""
