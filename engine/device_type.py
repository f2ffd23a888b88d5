"""torch.device: a device's type and index, as `Tensor.device` gives it (always the cpu here)."""

from __future__ import annotations

from typing import Any

from engine.devices import DEVICE_TYPES


class device:  # noqa: N801 (torch's name)
    """A device named by a string ('cpu', 'cuda:1') or a type and an index."""

    __slots__ = ("type", "index")

    def __init__(self, kind: Any, index: int | None = None) -> None:
        if not isinstance(kind, str):
            if kind < 0:
                raise RuntimeError("Device index must not be negative")
            raise RuntimeError("Cannot access accelerator device when none is available.")
        name, _, given = kind.partition(":")
        if name not in DEVICE_TYPES.split(", "):
            raise RuntimeError(
                f"Expected one of {DEVICE_TYPES} device type at start of device string: {kind}"
            )
        self.type = name
        self.index = int(given) if given else index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")
