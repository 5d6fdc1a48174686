"""Training GFLA networks: the published losses, discriminators, datasets, the staged trainer, fine-tuning and evaluation."""
