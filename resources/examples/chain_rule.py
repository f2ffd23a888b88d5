# %% [markdown]
# # The chain rule, one link at a time
# y = 3 * log(exp(x * x)) is just 3 x^2 in disguise, so dy/dx = 6 x.
# Watch the gradient flow backwards through each intermediate tensor.

# %%
import torch

x = torch.tensor(2.0, requires_grad=True)
u = x * x
v = u.exp()
w = v.log()
y = 3 * w
y

# %% [markdown]
# backward() multiplies the local derivatives along the path:
# dy/dw = 3, dw/dv = 1/v, dv/du = exp(u), du/dx = 2x.

# %%
y.backward()
x.grad

# %%
print(f"autograd: {x.grad.item()}, by hand: {6 * x.item()}")
x.grad == 6 * x
