"""Call training screens: the trainee's indicator on the shift screen and the trainer mode (docs/training.md)."""
