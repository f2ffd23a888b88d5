# %% [markdown]
# # Where a NaN comes from
# log(0) is -inf, and -inf * 0 is NaN. The forward value at x = 0 is already NaN,
# and the gradient of x ** 0.5 at 0 is infinite.

# %%
import torch

x = torch.tensor([0.0, 1.0, 4.0], requires_grad=True)
y = x.log() * x
y

# %%
y.sum().backward()
x.grad

# %%
x.grad.zero_()
r = x**0.5
r.sum().backward()
x.grad
