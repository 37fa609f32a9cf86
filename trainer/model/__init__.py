"""The trained model: torchtitan's Llama3 definition, with a document-masked SDPA for CPU."""
from trainer.model.attention import DocumentSDPA, document_causal_mask
from trainer.model.llama import build_model, llama_config

__all__ = ["DocumentSDPA", "build_model", "document_causal_mask", "llama_config"]
