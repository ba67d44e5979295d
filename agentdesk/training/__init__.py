"""Call training, Qt-free: the practice-call score sheet and its store (docs/training.md)."""
