"""The model layer: the one network definition (:mod:`govner.model.network`, torch) and Baidu LAC's
pretrained encoder it starts from (:mod:`govner.model.lac`).

This package file itself imports nothing heavy: prediction with the ONNX backend
needs only the names below, never torch.
"""

MODEL_TYPE = "govner-gru-crf"  # config.json's model_type for govner's own network
ONNX_FILE = "model.onnx"  # the network exported by govner.model.network.export_onnx, beside model.safetensors
