# %% [markdown]
# # Gradient descent by hand
# Fit w so that 3 w is close to 6. Each step: forward, backward, then an update made
# under `torch.no_grad()` so that the update itself is not recorded in the graph.

# %%
import torch

w = torch.tensor(0.0, requires_grad=True)
lr = 0.01

# %% [markdown]
# `w -= lr * w.grad` changes w in place: w stays the same leaf tensor, so it keeps
# requires_grad. `.grad` accumulates, so it is zeroed before the next backward.

# %%
for step in range(10):
    loss = (3.0 * w - 6.0) ** 2
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
    print(f"step {step}: loss {loss.item():.4f}, w {w.item():.4f}")

# %%
w, w.is_leaf, w.requires_grad
