"""The catalog of flywheel's Delta tables and the helpers that read and write them."""
