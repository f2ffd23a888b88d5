# %% [markdown]
# # An unrolled recurrent net (about 10,000 graph nodes)
# h = tanh(W @ h + U @ x_t + b) over a sequence of 830 steps: backpropagation through time.

# %%
import torch

torch.manual_seed(0)
W = (torch.randn(8, 8) * 0.3).requires_grad_()
U = (torch.randn(8, 3) * 0.5).requires_grad_()
b = torch.zeros(8, requires_grad=True)
xs = torch.randn(830, 3)
h = torch.zeros(8)

# %%
for t in range(830):
    h = torch.tanh(W @ h + U @ xs[t] + b)
loss = (h * h).sum()
loss

# %%
loss.backward()
W.grad.abs().sum(), b.grad.abs().sum()
