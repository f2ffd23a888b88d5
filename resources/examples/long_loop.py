# %% [markdown]
# # A long unrolled loop (about 10,000 graph nodes)
# A recurrence h = a * h + x unrolled 2,500 times, like an RNN over a long sequence.
# Backward walks all of it; the gradient with respect to a is a long sum.

# %%
import torch

a = torch.tensor(0.999, requires_grad=True)
x = torch.tensor(0.001, requires_grad=True)
h = torch.tensor(0.0)

# %%
for t in range(2500):
    h = a * h + x
h

# %%
h.backward()
a.grad, x.grad
