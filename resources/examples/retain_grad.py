# %% [markdown]
# # Gradients of intermediate tensors: retain_grad
# backward() fills `.grad` only on leaves. An intermediate tensor's gradient is computed
# on the way and then dropped, unless you ask for it with `retain_grad()`.

# %%
import torch

x = torch.tensor([0.5, -1.0, 1.5], requires_grad=True)
h = x * x
h.retain_grad()
y = torch.tanh(h).sum()
y

# %% [markdown]
# dy/dh = 1 - tanh(h)^2, then dy/dx = dy/dh * 2 x (the chain rule, one link back).

# %%
y.backward()
print("dy/dh =", h.grad)
print("dy/dx =", x.grad)
h.is_leaf, h.retains_grad, x.grad == h.grad * 2 * x
