# %% [markdown]
# # Broadcasting and its gradients
# A (3, 1) column times a (4,) row gives a (3, 4) grid. In backward, each input's gradient
# is summed back over the dimensions it was broadcast along, so it has the input's own shape.

# %%
import torch

a = torch.ones(3, 1, requires_grad=True)
b = torch.arange(4.0, requires_grad=True)
c = a * b
c

# %%
c.sum().backward()
a.grad, b.grad

# %% [markdown]
# a.grad[i] sums b over the 4 columns (0 + 1 + 2 + 3 = 6);
# b.grad[j] sums a over the 3 rows (3 ones).

# %%
a.grad.shape, b.grad.shape
