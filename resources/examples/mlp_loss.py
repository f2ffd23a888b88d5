# %% [markdown]
# # A tiny two-layer network and its loss
# Two samples with three features, a hidden layer of four ReLU units, one output,
# and a mean squared error. The matrix products are written with broadcasting and a sum:
# (x.reshape(2, 3, 1) * W1).sum(1) is x @ W1.

# %%
import torch

x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]])
target = torch.tensor([1.0, -1.0])
W1 = torch.tensor(
    [[0.2, -0.4, 0.1, 0.5], [0.3, 0.8, -0.6, 0.1], [-0.5, 0.2, 0.4, 0.3]], requires_grad=True
)
b1 = torch.zeros(4, requires_grad=True)
w2 = torch.tensor([0.7, -0.3, 0.5, 0.9], requires_grad=True)

# %%
pre = (x.reshape(2, 3, 1) * W1).sum(1) + b1
hidden = torch.where(pre > 0, pre, torch.zeros_like(pre))
out = (hidden * w2).sum(1)
loss = ((out - target) ** 2).mean()
loss

# %%
loss.backward()
print("dL/dW1 =", W1.grad)
print("dL/db1 =", b1.grad)
w2.grad
