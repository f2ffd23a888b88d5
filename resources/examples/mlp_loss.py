# %% [markdown]
# # A tiny two-layer network and its loss
# Four samples with three features, a hidden layer of five ReLU units and one output.
# `torch.manual_seed` makes the random weights the same on every run (and in real PyTorch).

# %%
import torch

torch.manual_seed(2)
x = torch.randn(4, 3)
y = torch.randn(4, 1)
W1 = torch.randn(3, 5, requires_grad=True)
b1 = torch.zeros(5, requires_grad=True)
W2 = torch.randn(5, 1, requires_grad=True)

# %% [markdown]
# Forward: `@` is matrix multiplication; `relu` zeroes the negative pre-activations.

# %%
hidden = torch.relu(x @ W1 + b1)
prediction = hidden @ W2
loss = ((prediction - y) ** 2).mean()
loss

# %% [markdown]
# Backward fills `.grad` of every leaf that requires grad; each has its leaf's shape.
# Where ReLU switched a hidden unit off for a sample, that sample adds nothing to its gradients.

# %%
loss.backward()
print("dL/dW1 =", W1.grad)
print("dL/db1 =", b1.grad)
W2.grad

# %% [markdown]
# Every gradient has the shape of its parameter.

# %%
[(tuple(p.shape), tuple(p.grad.shape)) for p in (W1, b1, W2)]
