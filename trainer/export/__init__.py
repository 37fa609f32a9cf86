"""Hugging Face export of chunk checkpoints (`flywheel export`) and lm-eval on the exported folder (`flywheel lm_eval`)."""
