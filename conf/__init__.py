"""The one typed configuration of flywheel: YAML files in this folder, their schema and loader.

Every part (Spark jobs, trainer, monitoring, notebooks) imports it; it imports nothing of the
project and neither Spark nor torch, so the trainer can read the same config the jobs read.

>>> from conf import load_config
>>> load_config(overrides=["mix.seq_len=512"]).mix.seq_len
512
"""
from conf.loader import ConfigError, load_config, replace
from conf.schema import PipelineConfig

__all__ = ["ConfigError", "PipelineConfig", "load_config", "replace"]
