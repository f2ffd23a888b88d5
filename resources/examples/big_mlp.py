# %% [markdown]
# # A deep stack of small layers (about 1,000 graph nodes)
# Seventy layers of scale, shift and a squashing 1 / (1 + exp(-h)), built in a loop.

# %%
import torch

x = torch.tensor([0.5, -1.0, 2.0, 0.1], requires_grad=True)
scale = torch.tensor([0.9, 1.1, 0.8, 1.2], requires_grad=True)
shift = torch.tensor([0.1, -0.2, 0.05, 0.0], requires_grad=True)

# %%
h = x
for layer in range(70):
    h = h * scale + shift
    h = 1 / (1 + (-h).exp())
loss = h.mean()
loss

# %%
loss.backward()
x.grad, scale.grad, shift.grad
