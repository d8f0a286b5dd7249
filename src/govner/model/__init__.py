"""The model layer: the one network definition (:mod:`govner.model.network`, torch), its IOB2
decoding (:mod:`govner.model.decoding`, numpy), its ONNX export (:mod:`govner.model.export`) and
Baidu LAC's pretrained encoder it starts from (:mod:`govner.model.lac`).

This package file itself imports nothing heavy: prediction with the ONNX backend
needs only the names below and ``decoding``, never torch.
"""

ONNX_FILE = "model.onnx"  # the network exported by govner.model.export.export_onnx, beside model.safetensors
# the ONNX graph's extra inputs for a model with lexicon features, in the order the network takes them
LEXICON_INPUTS = ("lexicon_start", "lexicon_end", "lexicon_category", "lexicon_weight")
