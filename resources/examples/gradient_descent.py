# %% [markdown]
# # Gradient descent by hand
# Fit w so that 3 w is close to 6. Each step: forward, backward, then an update made
# under torch.no_grad() so the update itself is not recorded in the graph.

# %%
import torch

w = torch.tensor(0.0, requires_grad=True)
lr = 0.01

# %%
for step in range(10):
    loss = (3.0 * w - 6.0) ** 2
    loss.backward()
    with torch.no_grad():
        w = w - lr * w.grad
    w.requires_grad_(True)
    print(f"step {step}: loss {loss.item():.4f}, w {w.item():.4f}")

# %%
w
