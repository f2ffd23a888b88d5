"""torch.device arguments (device strings and indices) for Tensor.to: the engine has the cpu
only. torch's errors for strings it refuses and for the devices this build lacks."""

from __future__ import annotations

import re
from typing import Any

DEVICE_TYPES = (
    "cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, vulkan, "
    "mps, meta, hpu, mtia, privateuseone"
)
_DEVICE = re.compile(r"([a-zA-Z_]+)(?::([1-9][0-9]*|0))?")
_NOT_COMPILED = {"cuda": "CUDA", "xpu": "XPU"}
_LARGEST_INDEX = 2**31 - 1


def names_cpu_index(device: Any) -> bool:
    """Whether `device` (None, a device string or an index) is the cpu with an index ('cpu:0',
    which torch copies to; 'cpu' and None are the tensor's own device). Raises torch's error for
    anything else."""
    if device is None:
        return False
    if not isinstance(device, str):
        if device < 0:
            raise RuntimeError("Device index must not be negative")
        raise RuntimeError("Cannot access accelerator device when none is available.")
    if not device:
        raise RuntimeError("Device string must not be empty")
    match = _DEVICE.fullmatch(device)
    if match is None:
        raise RuntimeError(f"Invalid device string: '{device}'")
    kind, index = match.groups()
    if kind not in DEVICE_TYPES.split(", "):
        raise RuntimeError(
            f"Expected one of {DEVICE_TYPES} device type at start of device string: {device}"
        )
    if index is not None and int(index) > _LARGEST_INDEX:
        raise RuntimeError(f"Could not parse device index '{index}' in device string '{device}'")
    if kind in _NOT_COMPILED:
        raise AssertionError(f"Torch not compiled with {_NOT_COMPILED[kind]} enabled")
    if kind != "cpu":
        raise RuntimeError(f"PyTorch is not linked with support for {kind} devices")
    return index is not None
