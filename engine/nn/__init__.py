"""`torch.nn` as far as the engine goes: `functional` (`import torch.nn.functional as F`)."""

from engine import functional

__all__ = ["functional"]
