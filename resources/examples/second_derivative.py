# %% [markdown]
# # A second derivative with torch.autograd.grad
# `autograd.grad` returns gradients instead of storing them in `.grad`. With
# `create_graph=True` the backward pass is itself recorded, so it can be differentiated again.

# %%
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x**3
y

# %% [markdown]
# dy/dx = 3 x^2 = 12, and it has a grad_fn of its own.

# %%
(dy_dx,) = torch.autograd.grad(y, x, create_graph=True)
dy_dx

# %% [markdown]
# d2y/dx2 = 6 x = 12. Leaves' `.grad` were never touched.

# %%
(d2y_dx2,) = torch.autograd.grad(dy_dx, x)
print(x.grad)
d2y_dx2
