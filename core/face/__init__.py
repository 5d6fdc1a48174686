"""Face subject: the 68-landmark layout, its network encoding, retargeting and animation."""
