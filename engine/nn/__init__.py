"""`torch.nn` as far as the engine goes: `functional` (`import torch.nn.functional as F`)."""

from engine.nn import functional

__all__ = ["functional"]
