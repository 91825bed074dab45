"""PyTorch implementation of the SE(3)-Hyena benchmark models (design/model.md)."""
